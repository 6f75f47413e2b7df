import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@missive/config';
import { ensureTopics } from '@missive/kafka';
import { LinkTokenSigner } from '@missive/tokens';
import {
  createScratchDatabases,
  createTestTenant,
  http,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type ScratchDatabases,
} from '@missive/testing';
import { validateContactInput } from '@missive/contact-domain';
import { copyLine } from '../apps/contacts/src/imports/copy-text';
import { ensureBundles } from '../deploy/distributed/build-services';
import { ServiceFleet, type ServiceProcess } from '../deploy/distributed/service-processes';
import { startLocalBroker, stopLocalBroker } from '../deploy/local/kafka-broker';
import type { BenchRow } from './bench-report';
import { checkpoint, contact, csvLine, databaseFloor, HEADER, upload, writeLines } from './import.bench';
import { cpuSeconds } from './processes';

/** autocannon ships no types; the part used here. */
interface AutocannonResult {
  requests: { total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

/** A broker of the bench's own: the host joins the default consumer groups. */
const BROKER_PORT = 19111;
const ROWS = Number(process.env.BENCH_SINGLE_NODE_ROWS ?? 200_000);
const WORKER_COUNTS = (process.env.BENCH_SINGLE_NODE_WORKERS ?? '1,2').split(',').map(Number);
const CONNECTIONS = 50;
const DURATION_S = 10;
const WARM_UP_S = 5;
const TOKENS = 500;
const KEY = { kid: 'bench', secret: randomBytes(32).toString('base64url') };
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

/** CPU seconds of a process and its direct children (the single-node host's workers). */
function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  for (const child of childPids(pid)) total += cpuSeconds(child);
  return total;
}

function childPids(pid: number): number[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous /proc scan, bench only
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
}

/** CPU seconds so far of each PostgreSQL process on this machine (the server is shared; the bench is its load). */
function postgresCpuSeconds(): Map<number, number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous /proc scan, bench only
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        byPid.set(Number(entry), cpuSeconds(entry));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

interface CpuSample {
  host: number;
  broker: number;
  postgres: Map<number, number>;
}

/** Cores each part kept busy over `seconds`, from two samples; a PostgreSQL backend counts from its start. */
function coresBusy(before: CpuSample, after: CpuSample, seconds: number): string {
  let postgres = 0;
  for (const [pid, cpu] of after.postgres) postgres += cpu - (before.postgres.get(pid) ?? 0);
  const parts = { host: after.host - before.host, Kafka: after.broker - before.broker, PostgreSQL: postgres };
  return Object.entries(parts)
    .map(([name, cpu]) => `${name} ${(cpu / seconds).toFixed(2)}`)
    .join(', ');
}

/** Waits until the host keeps less than a tenth of a core busy over 2 s (its backlogs consumed), at most 3 minutes. */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 180000;
  for (;;) {
    const before = treeCpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if ((treeCpuSeconds(pid) - before) / 2 < 0.1 || Date.now() > deadline) return;
  }
}

interface HostRun {
  pixel: AutocannonResult;
  pixelCores: string;
  importSeconds: number;
  importCores: string;
  floor: number;
}

/**
 * `npm run bench single-node`: what a new user meets after `npm start` (issue 25). The single-node host (the
 * `missive` bundle, every service) with 1 worker, then with 2 (SINGLE_NODE_WORKERS), each against a private broker
 * and scratch databases: the open pixel (50 connections, 10 s) and a CSV import of ROWS rows through
 * `POST /v1/imports`, beside the database's floor for the same rows measured just before it.
 */
export async function runSingleNodeBench(): Promise<BenchRow[]> {
  ensureBundles(['missive']);
  const dir = await mkdtemp(join(tmpdir(), 'missive-single-node-bench-'));
  const csvPath = join(dir, 'contacts.csv');
  const copyPath = join(dir, 'contacts.copy');
  await writeLines(csvPath, HEADER, csvLine, ROWS);
  const { minimumAges } = loadConfig({});
  await writeLines(
    copyPath,
    null,
    (i) => {
      const result = validateContactInput(contact(i), { region: 'NA', transferSafeguard: null }, minimumAges);
      if (!result.ok) throw new Error(`bench row ${i} is invalid`);
      return copyLine(result.contact);
    },
    ROWS,
  );
  const loadAtStart = loadavg()[0];
  const rows: BenchRow[] = [];
  const broker = await startLocalBroker(BROKER_PORT, { fresh: true });
  try {
    const admin = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${BROKER_PORT}`], logLevel: logLevel.NOTHING });
    const client = admin.admin();
    await client.connect();
    await ensureTopics(client, ['NA', 'EEA']).finally(() => client.disconnect());
    for (const workers of WORKER_COUNTS) {
      const run = await measureHost(workers, dir, csvPath, copyPath, broker.pid);
      const label = `${workers} worker${workers === 1 ? '' : 's'}`;
      rows.push(
        {
          metric: `pixel /t/o, ${label}`,
          value: Math.round(run.pixel.requests.total / DURATION_S),
          unit: 'hits/s',
          note: `p99 ${run.pixel.latency.p99} ms; ${CONNECTIONS} connections, ${DURATION_S} s; cores busy: ${run.pixelCores}; non-2xx ${run.pixel.non2xx}, errors ${run.pixel.errors}; goal 5,000`,
        },
        {
          metric: `import, ${label}`,
          value: Math.round(ROWS / run.importSeconds),
          unit: 'rows/s',
          note: `${ROWS} CSV rows upload → done in ${run.importSeconds.toFixed(1)} s; cores busy: ${run.importCores}`,
        },
        {
          metric: `import / SQL floor, ${label}`,
          value: Math.round((ROWS / run.importSeconds / run.floor) * 100) / 100,
          unit: '×',
          note: `floor ${Math.round(run.floor)} rows/s (COPY + one upsert, measured just before); goal 0.5`,
        },
      );
    }
  } finally {
    await stopLocalBroker(BROKER_PORT).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  rows.push({
    metric: 'load average',
    value: Math.round(loadavg()[0] * 100) / 100,
    unit: '',
    note: `1-minute, at the end; ${loadAtStart.toFixed(2)} at the start (2 cores; other work shares them)`,
  });
  return rows;
}

async function measureHost(
  workers: number,
  dir: string,
  csvPath: string,
  copyPath: string,
  brokerPid: number,
): Promise<HostRun> {
  const uid = randomUUID().slice(0, 8);
  const fleet = new ServiceFleet();
  let scratch: ScratchDatabases | undefined;
  try {
    scratch = await createScratchDatabases(`single${uid}`);
    const [host] = await fleet.start([
      {
        service: 'missive',
        name: `single-node-${uid}`,
        // e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`: where the host's time goes.
        nodeArgs: (process.env.BENCH_SINGLE_NODE_NODE_ARGS ?? '').split(' ').filter(Boolean),
        env: {
          ...scratch.env,
          NODE_ENV: 'development',
          SINGLE_NODE_WORKERS: String(workers),
          KAFKA_BROKERS: `127.0.0.1:${BROKER_PORT}`,
          REDIS_URL: loadConfig().redis.NA,
          QUEUE_NAMESPACE: `single-${uid}`,
          DATA_DIR: join(dir, `data-${uid}`),
          DEV_MAIL_PORT: '0',
          LINK_TOKEN_KEYS: `${KEY.kid}:${KEY.secret}`,
          SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
          LOG_LEVEL: 'warn',
          // Every request replays one of TOKENS tokens and must be counted (as in the tracking bench).
          RECIPIENT_RATE_PER_IP_PER_MINUTE: '1000000000',
          RECIPIENT_RATE_PER_TOKEN_PER_MINUTE: '0',
          RECIPIENT_REPLAY_WINDOW_SECONDS: '0',
        },
      },
    ]);
    await waitFor(() => host.tail().includes('is up'), { what: 'every worker', timeoutMs: 180000 });
    const tenant = await createTestTenant({ supportUrl: host.supportUrl }, { region: 'NA', name: `bench ${uid}` });
    const signer = new LinkTokenSigner([KEY]);
    const campaignId = randomUUID();
    const paths = Array.from(
      { length: TOKENS },
      () =>
        `/t/o/${signer.mint({ kind: 'open', tenantId: tenant.tenant.id, region: 'NA', campaignId, contactId: randomUUID() })}`,
    );
    const load = (duration: number) =>
      autocannon({
        url: host.publicUrl,
        connections: CONNECTIONS,
        duration,
        headers: { 'user-agent': CHROME },
        requests: paths.map((path) => ({ method: 'GET', path })),
      });
    const pid = host.child.pid!;
    // The import first, on a host that has settled since its start; the pixel once the import's events are consumed,
    // so neither phase pays for the other's backlog.
    await settled(pid);
    const { floor } = await databaseFloor(copyPath, false, ROWS);
    await checkpoint();
    const sample = (): CpuSample => ({
      host: treeCpuSeconds(pid),
      broker: cpuSeconds(brokerPid),
      postgres: postgresCpuSeconds(),
    });
    let cpu = sample();
    const started = process.hrtime.bigint();
    const response = await upload(`${host.publicUrl}/v1/imports`, tenant.apiKey, 'text/csv', csvPath);
    if (response.status !== 202) throw new Error(`import refused: ${response.status} ${response.body}`);
    const { id } = JSON.parse(response.body) as { id: string };
    const report = await waitFor(
      async () => {
        const res = await http('GET', `${host.publicUrl}/v1/imports/${id}`, { token: tenant.apiKey });
        return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
      },
      { timeoutMs: 10 * 60 * 1000, intervalMs: 50, what: 'the import to end' },
    );
    const importSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const importCores = coresBusy(cpu, sample(), importSeconds);
    if (report.status !== 'done' || report.created !== ROWS) throw new Error(`import ended ${report.status}`);

    await settled(pid);
    await load(WARM_UP_S);
    cpu = sample();
    const pixel = await load(DURATION_S);
    const pixelCores = coresBusy(cpu, sample(), DURATION_S);
    return { pixel, pixelCores, importSeconds, importCores, floor };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${fleet.tails()}`);
  } finally {
    await fleet.stopAll();
    await scratch?.drop().catch(() => undefined);
  }
}

export type { ServiceProcess };
