import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { topicName } from '@missive/contracts';
import { LinkTokenSigner } from '@missive/tokens';
import { adminQuery, createScratchDatabases } from '@missive/testing';
import { startLocalBroker, stopLocalBroker } from '../deploy/local/kafka-broker';
import type { BenchRow } from './bench-report';
import { cpuSeconds, stopChild } from './processes';

/** autocannon ships no types; the part used here. */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  '2xx': number;
  '3xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module
const autocannon = require('autocannon') as Autocannon;

const ROOT = join(__dirname, '..');
/** A broker of the bench's own, so its hits never flow into the shared topics other runs start from. */
const BROKER_PORT = 19098;
const CONNECTIONS = Number(process.env.BENCH_TRACKING_CONNECTIONS ?? 50);
const DURATION_S = 10;
const WARM_UP_S = 10;
const TOKENS = 500;
const KEY = { kid: 'bench', secret: `bench-${randomUUID()}${randomUUID()}` };
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
/**
 * Which process serves the link host: the tracking service alone, as it is scaled in distributed mode (the
 * default), or the single-node host with every service (`BENCH_TRACKING_HOST=missive`).
 */
const HOST = process.env.BENCH_TRACKING_HOST === 'missive' ? 'missive' : 'tracking';
const HOST_ENTRY = `apps/${HOST}/src/main.ts`;
const GIF_BASE64 = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 120000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Produce requests the link host has sent so far and the hits in them, from its /metrics. */
async function produceRequests(base: string): Promise<{ requests: number; hits: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    requests: value('missive_tracking_hit_batch_size_count'),
    hits: value('missive_tracking_hit_batch_size_sum'),
  };
}

/**
 * CPU seconds used so far by each PostgreSQL backend serving the bench's databases (the server is shared with
 * whatever else runs on the machine; the backends of this bench's scratch databases are its share).
 */
async function postgresCpuSeconds(db: { url: string }): Promise<Map<number, number>> {
  const backends = await adminQuery<{ pid: number }>(
    db,
    `SELECT pid FROM pg_stat_activity
     WHERE datname IN (current_database(), replace(current_database(), '_regional', '_global'))
       AND pid <> pg_backend_pid()`,
  );
  return new Map(backends.map(({ pid }) => [pid, cpuSeconds(pid)]));
}

interface CpuSample {
  host: number;
  broker: number;
  postgres: Map<number, number>;
  loadGenerator: number;
}

async function cpuSample(hostPid: number, brokerPid: number, db: { url: string }): Promise<CpuSample> {
  const postgres = await postgresCpuSeconds(db);
  const self = process.cpuUsage();
  return {
    host: cpuSeconds(hostPid),
    broker: cpuSeconds(brokerPid),
    postgres,
    loadGenerator: (self.user + self.system) / 1e6,
  };
}

/** Cores each process kept busy between two samples, and the CPU milliseconds all of them spent per hit. */
function cpuPerHit(before: CpuSample, after: CpuSample, seconds: number, hits: number) {
  const used = (k: 'host' | 'broker' | 'loadGenerator') => after[k] - before[k];
  // PostgreSQL backends come and go: count each process's CPU since the first sample, or since it started.
  let postgres = 0;
  for (const [pid, cpu] of after.postgres) postgres += cpu - (before.postgres.get(pid) ?? 0);
  const parts = {
    [HOST]: used('host'),
    Kafka: used('broker'),
    PostgreSQL: postgres,
    autocannon: used('loadGenerator'),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return {
    millisecondsPerHit: (total * 1000) / hits,
    note: `cores busy: ${Object.entries(parts)
      .map(([name, cpu]) => `${name} ${(cpu / seconds).toFixed(2)}`)
      .join(', ')}`,
  };
}

/**
 * `CONNECTIONS` keep-alive connections for `duration` seconds, each cycling through `paths`. The requests are
 * static, so autocannon builds their bytes once (a `setupRequest` callback would rebuild every request and make the
 * load generator, on the same 2 cores, the first thing to run out of CPU).
 */
function load(
  url: string,
  paths: string[],
  duration = DURATION_S,
  connections = CONNECTIONS,
): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections,
    duration,
    headers: { 'user-agent': CHROME },
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
}

/**
 * The link host under load (issues 7 and 10). The tracking service runs alone in a child process, as it is scaled in
 * distributed mode (`BENCH_TRACKING_HOST=missive`: the single-node host with every service), against a private
 * broker and scratch databases; its hit aggregation runs in the same process, as deployed. autocannon, in this
 * process, drives `/t/o` then `/t/c` with valid tokens (50 connections, 10 s each, after a 10 s warm-up); the CPU
 * each process used during the pixel run gives the machine's CPU per hit. Then a round-robin TCP balancer drives
 * one replica, then two (the scaling factor); every accepted hit must be counted downstream (0 lost); last, a bare
 * node:http server answering the same GIF gives the ceiling of this machine.
 */
export async function runTrackingBench(): Promise<BenchRow[]> {
  const uid = randomUUID().slice(0, 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-bench-tracking-'));
  const broker = await startLocalBroker(BROKER_PORT, { fresh: true });
  const scratch = await createScratchDatabases(`bench${uid}`);
  const db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
  const children: ChildProcess[] = [];
  try {
    const barePort = await freePort();
    /** One link host process (the first is the measured one; a second is the extra replica behind the balancer). */
    const startHost = async (replica: string): Promise<{ child: ChildProcess; port: number }> => {
      const [port, supportPort, inboundPort] = [await freePort(), await freePort(), await freePort()];
      const profile = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
      const child = spawn(process.execPath, [...profile, '-r', '@swc-node/register', join(ROOT, HOST_ENTRY)], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          ...scratch.env,
          SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          KAFKA_BROKERS: `127.0.0.1:${BROKER_PORT}`,
          REGIONS: 'NA',
          PORT: String(port),
          SUPPORT_PORT: String(supportPort),
          DEV_MAIL_PORT: '0',
          // Two single-node hosts (the balancer's replicas) each run the unsubscribe service's inbound listener.
          INBOUND_SMTP_PORT: String(inboundPort),
          LINK_TOKEN_KEYS: `${KEY.kid}:${KEY.secret}`,
          DATA_DIR: dataDir,
          INSTANCE_ID: `bench-${uid}-${replica}`,
          LOG_LEVEL: 'warn',
          // Every request replays one of TOKENS tokens and must be counted: the R-X6 limits stay on the path (one
          // Redis round trip a hit) but never refuse, and replays count.
          RECIPIENT_RATE_PER_IP_PER_MINUTE: '1000000000',
          RECIPIENT_RATE_PER_TOKEN_PER_MINUTE: '0',
          RECIPIENT_REPLAY_WINDOW_SECONDS: '0',
        },
      });
      children.push(child);
      await waitUntil(
        async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200,
        `link host ${replica}`,
        180000,
      );
      return { child, port };
    };
    const { child: host, port } = await startHost('a');
    const base = `http://127.0.0.1:${port}`;

    const bare = spawn(
      process.execPath,
      [
        '-e',
        `const gif = Buffer.from('${GIF_BASE64}', 'base64');
         require('node:http').createServer((q, s) => {
           s.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store', 'content-length': gif.length });
           s.end(gif);
         }).listen(${barePort}, '127.0.0.1');`,
      ],
      { stdio: 'ignore' },
    );
    children.push(bare);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${barePort}/`)).status === 200, 'the bare server');

    // A campaign with links, registered the way the campaigns service will (an event), and tokens for it.
    const tenantId = randomUUID();
    const campaignId = randomUUID();
    const kafka = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${BROKER_PORT}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicName('NA', 'campaign.links-registered'),
      messages: [
        {
          key: campaignId,
          value: JSON.stringify({
            id: randomUUID(),
            type: 'campaign.links-registered',
            version: 1,
            tenantId,
            region: 'NA',
            occurredAt: new Date().toISOString(),
            data: { campaignId, links: [{ index: 0, url: 'https://shop.example.com/a' }] },
          }),
        },
      ],
    });
    await producer.disconnect();
    const signer = new LinkTokenSigner([KEY]);
    const contacts = Array.from({ length: TOKENS }, () => randomUUID());
    const claims = { tenantId, region: 'NA' as const, campaignId };
    const openPaths = contacts.map((contactId) => `/t/o/${signer.mint({ ...claims, kind: 'open', contactId })}`);
    const clickPaths = contacts.map(
      (contactId) => `/t/c/${signer.mint({ ...claims, kind: 'click', contactId, linkIndex: 0 })}`,
    );
    await waitUntil(
      async () => (await fetch(`${base}${clickPaths[0]}`, { redirect: 'manual' })).status === 302,
      'the links',
    );

    // JIT (the broker is a JVM started a minute ago), connection pools, consumer group settled.
    const warmUp = await load(base, openPaths, WARM_UP_S);
    const beforePixel = await cpuSample(host.pid!, broker.pid, db);
    const producedBefore = await produceRequests(base);
    const pixel = await load(base, openPaths);
    const pixelCpu = cpuPerHit(
      beforePixel,
      await cpuSample(host.pid!, broker.pid, db),
      DURATION_S,
      pixel.requests.total,
    );
    const producedAfter = await produceRequests(base);
    const hitsPerRequest =
      (producedAfter.hits - producedBefore.hits) / Math.max(1, producedAfter.requests - producedBefore.requests);
    const click = await load(base, clickPaths);
    // With 50 connections each waiting for its hit's acknowledgement the host idles part of the time: twice as many
    // clients show what it can take when more people open mail at once (its capacity rather than its latency).
    const pixelDoubled = await load(base, openPaths, DURATION_S, CONNECTIONS * 2);

    // Scaling (issue 10): the pixel through a round-robin TCP balancer to one replica, then to two.
    const second = await startHost('b');
    const balancerPort = await freePort();
    const balancer = spawn(
      process.execPath,
      [join(ROOT, 'bench/tcp-balancer.process.mjs'), String(balancerPort), String(port), String(second.port)],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    children.push(balancer);
    const told = (key: string) =>
      new Promise<void>((resolve) => {
        const listen = (message: Record<string, unknown>) => {
          if (!(key in message)) return;
          balancer.off('message', listen);
          resolve();
        };
        balancer.on('message', listen);
      });
    await told('ready');
    const setBackends = async (count: number) => {
      const answered = told('backends');
      balancer.send({ backends: count });
      await answered;
    };
    const viaBalancer = `http://127.0.0.1:${balancerPort}`;
    await setBackends(1);
    const scalingWarmUps = [await load(viaBalancer, openPaths, 3)];
    const oneReplica = await load(viaBalancer, openPaths);
    await setBackends(2);
    scalingWarmUps.push(await load(viaBalancer, openPaths, 3));
    const twoReplicas = await load(viaBalancer, openPaths);

    // Every accepted hit (200 GIF, 302 redirect, plus the one probe click) must be counted downstream.
    const runs = [warmUp, pixel, pixelDoubled, oneReplica, twoReplicas, ...scalingWarmUps];
    const accepted = runs.reduce((sum, run) => sum + run['2xx'], 0) + click['3xx'] + 1;
    const counted = async () =>
      (
        await adminQuery<{ n: number }>(
          db,
          `SELECT coalesce(sum(opens + clicks), 0)::int AS n FROM tracking_campaign_stats WHERE campaign_id = $1`,
          [campaignId],
        )
      )[0].n;
    const drainStart = Date.now();
    await waitUntil(async () => (await counted()) >= accepted, 'every accepted hit to be counted', 300000).catch(
      () => undefined,
    );
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const recorded = await counted();
    const failures = [...runs, click].reduce((sum, run) => sum + run.errors + run.timeouts, 0);
    const unexpected = runs.reduce((sum, run) => sum + run.non2xx, 0) + click.non2xx - click['3xx'];
    // The ceiling, measured once the hosts have drained, so their leftover work does not slow the bare server.
    const bareResult = await load(`http://127.0.0.1:${barePort}`, ['/']);

    const round = (n: number, digits = 0) => Number(n.toFixed(digits));
    const hostNote = HOST === 'missive' ? 'single-node host with every service' : 'the tracking service alone';
    const note = `${CONNECTIONS} connections, ${DURATION_S} s, valid tokens, ${hostNote}`;
    return [
      { metric: 'pixel /t/o', value: round(pixel.requests.average), unit: 'hits/s', note: `${note}; ${pixelCpu.note}` },
      {
        metric: 'machine CPU per pixel hit',
        value: round(pixelCpu.millisecondsPerHit, 2),
        unit: 'ms',
        note: `link host + Kafka + PostgreSQL (aggregation) + load generator; 2 cores allow at most ${round(2000 / pixelCpu.millisecondsPerHit)} hits/s`,
      },
      {
        metric: 'hits per produce request',
        value: round(hitsPerRequest, 1),
        unit: 'hits',
        note: 'pixel run, mean; the broker works per request',
      },
      { metric: 'pixel p99 latency', value: pixel.latency.p99, unit: 'ms', note: 'goal < 25' },
      { metric: 'click /t/c', value: round(click.requests.average), unit: 'hits/s', note },
      { metric: 'click p99 latency', value: click.latency.p99, unit: 'ms', note: 'goal < 25' },
      {
        metric: `pixel /t/o, ${CONNECTIONS * 2} connections`,
        value: round(pixelDoubled.requests.average),
        unit: 'hits/s',
        note: `the same host with twice the clients; p99 ${pixelDoubled.latency.p99} ms`,
      },
      {
        metric: 'bare node:http GIF',
        value: round(bareResult.requests.average),
        unit: 'req/s',
        note: 'same machine, own process',
      },
      { metric: 'bare p99 latency', value: bareResult.latency.p99, unit: 'ms' },
      {
        metric: 'pixel / bare',
        value: round(pixel.requests.average / bareResult.requests.average, 2),
        unit: '×',
        note: 'goal ≥ 0.5',
      },
      {
        // autocannon does not count the requests still in flight when it stops (up to 2 × CONNECTIONS), which the
        // link host did accept: more may be counted than reported accepted, never fewer.
        metric: 'hits lost',
        value: Math.max(accepted - recorded, 0),
        unit: 'hits',
        note: `${accepted} answered (every run), ${recorded} counted downstream (drained in ${round(drainSeconds, 1)} s); errors ${failures}, non-2xx/3xx ${unexpected}`,
      },
      {
        metric: 'pixel via balancer, 1 replica',
        value: round(oneReplica.requests.average),
        unit: 'hits/s',
        note: `round-robin TCP balancer (own process) → one tracking process; p99 ${oneReplica.latency.p99} ms`,
      },
      {
        metric: 'pixel via balancer, 2 replicas',
        value: round(twoReplicas.requests.average),
        unit: 'hits/s',
        note: `the same balancer → two tracking processes; p99 ${twoReplicas.latency.p99} ms`,
      },
      {
        metric: 'scaling, 2 replicas / 1',
        value: round(twoReplicas.requests.average / oneReplica.requests.average, 2),
        unit: '×',
        note: 'on 2 cores shared with the broker, PostgreSQL, the balancer and autocannon',
      },
    ];
  } finally {
    for (const child of children) await stopChild(child, 20000);
    await stopLocalBroker(BROKER_PORT);
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
