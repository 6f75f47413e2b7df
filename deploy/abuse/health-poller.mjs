// Polls a host's /health from a process of its own, so the latency it measures is the host's and not that of the
// test process, which is busy sending the attack. The parent asks for the figures since the last ask ('mark'),
// and ends it ('stop'). Usage: fork(this file, [baseUrl, intervalMs]).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/* global fetch, AbortSignal -- Node 20's own */
const [baseUrl, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg ?? 25);
const TIMEOUT_MS = 5000;
let worst = 0;
let failures = 0;
let samples = 0;
let running = true;

process.on('message', (message) => {
  if (message === 'mark') {
    process.send({ worstMs: Math.round(worst), failures, samples });
    worst = 0;
    failures = 0;
    samples = 0;
  } else if (message === 'stop') {
    running = false;
  }
});

while (running) {
  const t0 = performance.now();
  const ok = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(TIMEOUT_MS) }).then(
    async (r) => {
      await r.arrayBuffer();
      return r.status === 200;
    },
    () => false,
  );
  worst = Math.max(worst, performance.now() - t0);
  samples++;
  if (!ok) failures++;
  await sleep(intervalMs);
}
process.disconnect();
