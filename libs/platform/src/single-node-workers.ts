import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MissiveConfig } from '@missive/config';

/**
 * The single-node host on every core (`SINGLE_NODE_WORKERS`): the host process forks that many workers, each running
 * every service as a replica does in distributed mode, and Node's cluster module shares their listening ports
 * (public, support, inbound SMTP) between them. The services already run as replicas (consumer groups, the outbox
 * relay's leader lock, BullMQ, shared Redis limits), so nothing changes in what they do; the host only uses more than
 * one event loop. The lead worker (slot 0) alone runs what holds state in memory: the support listener with the dev
 * mail sink. Workers write to the host's stdout, so it stays one log.
 */

/** What a worker tells the host process. */
type WorkerMessage =
  | { missive: 'ready'; urls: string[] }
  | { missive: 'failed'; message: string }
  | { missive: 'metrics-request'; id: number };

/** What the host process answers a worker. */
type HostMessage = { missive: 'metrics'; id: number; text?: string; error?: string };

/** A worker that crashes is started again after this; more than RESTART_BUDGET crashes a minute stop the host. */
const RESTART_DELAY_MS = 1000;
const RESTART_BUDGET = 5;

function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && 'missive' in message;
}

/** Whether this process is a worker of the single-node host. */
export function isSingleNodeWorker(config: MissiveConfig): boolean {
  return cluster.isWorker && config.workerSlot !== null;
}

/** Tells the host process this worker is up (it prints the one start-up message) or could not start. */
export function reportToHost(message: { missive: 'ready'; urls: string[] } | { missive: 'failed'; message: string }) {
  process.send?.(message);
}

let metricsRequests = 0;
const pendingMetrics = new Map<number, (reply: HostMessage) => void>();

/**
 * Lets the host process read this worker's metrics (it sums every worker's for `/metrics`), and routes its answers
 * to hostMetricsText. Called once, when the worker starts: the host asks every worker whichever one is asked.
 */
export function shareMetricsWithHost(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // from here on, this worker answers the host process's requests for its metrics
  process.on('message', (message: HostMessage) => {
    if (message?.missive !== 'metrics') return;
    pendingMetrics.get(message.id)?.(message);
    pendingMetrics.delete(message.id);
  });
}

/**
 * The host's metrics, every worker's summed (counters and histograms add up; gauges too, each worker reporting its
 * own share), so `/metrics` on a shared port does not answer for whichever worker took the connection.
 */
export function hostMetricsText(): Promise<string> {
  const id = ++metricsRequests;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pendingMetrics.delete(id);
      reject(new Error('the host process did not answer with the metrics'));
    }, 5000);
    pendingMetrics.set(id, (reply) => {
      clearTimeout(timer);
      if (reply.text !== undefined) resolve(reply.text);
      else reject(new Error(reply.error ?? 'no metrics'));
    });
    process.send?.({ missive: 'metrics-request', id } satisfies WorkerMessage);
  });
}

/**
 * Runs the host process: forks `config.singleNodeWorkers` workers (the lead first, the others once it is up, so
 * topics and schemas are in place before replicas join), prints one start-up message, starts a crashed worker again,
 * and on SIGTERM/SIGINT stops every worker gracefully before it exits.
 */
export function superviseWorkers(name: string, config: MissiveConfig): void {
  const count = config.singleNodeWorkers;
  const aggregator = new AggregatorRegistry();
  const slots = new Map<Worker, number>();
  const crashes: number[] = [];
  const ready = new Set<number>();
  let stopping = false;
  let announced = false;
  let leadUrls: string[] = [];

  const fork = (slot: number) => {
    const worker = cluster.fork({ WORKER_SLOT: String(slot), INSTANCE_ID: `${config.instanceId}-w${slot}` });
    slots.set(worker, slot);
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.missive === 'metrics-request') {
        aggregator.clusterMetrics().then(
          (text) => worker.send({ missive: 'metrics', id: message.id, text } satisfies HostMessage),
          (error: Error) =>
            worker.send({ missive: 'metrics', id: message.id, error: error.message } satisfies HostMessage),
        );
      } else if (message.missive === 'ready') {
        ready.add(slot);
        if (slot === 0) leadUrls = message.urls; // the lead's listeners are the host's
        if (slot === 0 && !announced) for (let s = 1; s < count; s++) fork(s);
        if (ready.size === count && !announced) {
          announced = true;
          process.stdout.write(
            `\nMissive (${name}) is up, ${count} workers sharing its ports:\n${leadUrls.map((u) => `  - ${u}`).join('\n')}\n\n`,
          );
        }
      } else if (message.missive === 'failed' && !announced) {
        process.stderr.write(`missive: ${name} could not start: ${message.message}\n`);
        stop(1);
      }
    });
  };

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 35000);
    force.unref();
    for (const worker of slots.keys()) worker.process.kill('SIGTERM');
    const done = () => {
      if (slots.size === 0) process.exit(code);
    };
    cluster.on('exit', done);
    done();
  };

  cluster.on('exit', (worker, exitCode, signal) => {
    const slot = slots.get(worker);
    slots.delete(worker);
    if (stopping || slot === undefined) return;
    ready.delete(slot);
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && now - crashes[0] > 60000) crashes.shift();
    if (!announced || crashes.length > RESTART_BUDGET) {
      process.stderr.write(`missive: worker ${slot} stopped (${signal ?? exitCode}); stopping ${name}\n`);
      stop(1);
      return;
    }
    process.stderr.write(`missive: worker ${slot} stopped (${signal ?? exitCode}); starting it again\n`);
    setTimeout(() => {
      if (!stopping) fork(slot);
    }, RESTART_DELAY_MS);
  });
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  fork(0);
}
