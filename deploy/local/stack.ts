import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ConfigError, loadConfig, type MissiveConfig } from '@missive/config';
import { REGIONS } from '@missive/contracts';
import { migrateAll } from '@missive/database';
import { ensureTopics, kafkaConnection } from '@missive/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { brokerAnswers, startLocalBroker, stopLocalBroker } from './kafka-broker';
import { ensureDatabases } from './postgres-setup';
import { PrerequisiteError } from './prerequisites';
import { stopLocalRedis } from './redis-server';
import { EEA_KAFKA_PORT, EEA_REDIS_PORT, startRegions } from '../regions/start-regions';

const ROOT = join(__dirname, '..', '..');
const LOCAL_KAFKA_PORT = 9092;

function say(message: string): void {
  process.stdout.write(`missive: ${message}\n`);
}

function isLocalDefaultBroker(brokers: string[]): boolean {
  return brokers.length === 1 && /^(127\.0\.0\.1|localhost):9092$/.test(brokers[0]);
}

export interface StackState {
  config: MissiveConfig;
  /** True when this run started the local broker (stopped again after tests under CI=true). */
  startedKafka: boolean;
}

async function ensureRedis(config: MissiveConfig): Promise<void> {
  for (const url of new Set(Object.values(config.redis))) {
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      connectTimeout: 3000,
    });
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw new PrerequisiteError(
        `Redis is not reachable at ${url} (${(error as Error).message}): start redis-server, or set REDIS_URL`,
      );
    }
    try {
      const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
      if (policy !== 'noeviction') {
        await redis.config('SET', 'maxmemory-policy', 'noeviction');
        say(`set Redis maxmemory-policy to noeviction at ${url} (was ${policy}), as BullMQ requires`);
      }
    } catch {
      say(`WARNING: could not check or set maxmemory-policy at ${url}; BullMQ needs noeviction`);
    } finally {
      redis.disconnect();
    }
  }
}

async function ensureKafka(config: MissiveConfig): Promise<boolean> {
  let started = false;
  for (const region of REGIONS) {
    const brokers = config.kafka.brokers[region];
    if (await brokerAnswers(kafkaConnection(config, region))) continue;
    if (!isLocalDefaultBroker(brokers)) {
      throw new PrerequisiteError(
        `no Kafka broker answers at ${brokers.join(',')} (KAFKA_BROKERS${region === 'NA' ? '_NA' : '_EEA'} or KAFKA_BROKERS)`,
      );
    }
    say('starting the local Kafka broker (KRaft) on 127.0.0.1:9092…');
    await startLocalBroker(LOCAL_KAFKA_PORT);
    started = true;
  }
  const seen = new Set<string>();
  for (const region of REGIONS) {
    const brokers = config.kafka.brokers[region];
    const admin = new Kafka({
      clientId: 'missive-stack',
      ...kafkaConnection(config, region),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const created = await ensureTopics(admin, [region]);
      if (created.length) say(`created ${created.length} ${region} topics`);
    } finally {
      await admin.disconnect();
      seen.add(brokers.join(','));
    }
  }
  return started;
}

/** Brings the local stack up, idempotently: PostgreSQL databases and migrations, Redis, Kafka and topics. */
export async function up(): Promise<StackState> {
  const config = loadConfig();
  const t0 = Date.now();
  await ensureDatabases(config);
  const reports = await migrateAll(config);
  for (const r of reports) if (r.applied.length) say(`migrated ${r.database}: ${r.applied.join(', ')}`);
  await ensureRedis(config);
  const startedKafka = await ensureKafka(config);
  mkdirSync(config.dataDir, { recursive: true });
  say(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { config, startedKafka };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'test') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/apps/missive/main.js unless it is newer than every source file. */
function buildHost(): void {
  const bundle = join(ROOT, 'dist', 'apps', 'missive', 'main.js');
  const sources = Math.max(newestMtime(join(ROOT, 'apps')), newestMtime(join(ROOT, 'libs')));
  if (existsSync(bundle) && statSync(bundle).mtimeMs > sources) return;
  say('building the single-node host…');
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'missive'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('the build failed (see above)');
}

/**
 * The browser test drives Debian's Chromium (issue 8); install it when missing, as root with apt-get, logging to a
 * file. Where that is not possible the browser test fails and says why.
 */
function ensureChromium(): void {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0 || spawnSync('which', ['apt-get']).status !== 0) {
    say(
      'WARNING: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get); the browser test will fail',
    );
    return;
  }
  say('installing Debian chromium for the browser test (once)…');
  const log = join(ROOT, '.cache', 'apt-chromium.log');
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const shell = `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > '${log}' 2>&1`;
  if (spawnSync('sh', ['-c', shell], { stdio: 'ignore' }).status !== 0)
    say(`WARNING: installing chromium failed; see ${log}`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/**
 * Prints the coverage totals (when measured) and the skipped count, then jest's totals as the one plain last line
 * CI reads: `N passed, M failed`.
 */
function printTotals(resultsFile: string, coverageSummary?: string): void {
  if (!existsSync(resultsFile)) {
    process.stdout.write('0 passed, 1 failed\n');
    return;
  }
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numRuntimeErrorTestSuites: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  const skipped = results.numPendingTests + results.numTodoTests;
  process.stdout.write(`\n${coverageSummary ? coverageLine(coverageSummary) : ''}${skipped} skipped\n`);
  process.stdout.write(`${results.numPassedTests} passed, ${failed} failed\n`);
}

/**
 * jest's json-summary totals as one line. Under the floor (coverageThreshold in jest.config.js) jest itself prints
 * which metric missed and exits non-zero, though the totals line may read `0 failed`.
 */
function coverageLine(summaryFile: string): string {
  if (!existsSync(summaryFile)) return 'coverage: not measured (no coverage-summary.json)\n';
  const metrics = ['statements', 'branches', 'lines'] as const;
  const { total } = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
    total: Record<(typeof metrics)[number], { pct: number }>;
  };
  return `coverage: ${metrics.map((m) => `${m} ${total[m].pct} %`).join(', ')}\n`;
}

async function main(): Promise<number> {
  const [command = 'up', ...rest] = process.argv.slice(2);
  switch (command) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await stopLocalBroker(LOCAL_KAFKA_PORT);
      // Those of `npm run start:regions`, if it ran.
      await stopLocalBroker(EEA_KAFKA_PORT);
      await stopLocalRedis(EEA_REDIS_PORT);
      say('stopped the local Kafka broker(s) (PostgreSQL and Redis are the machine’s and stay up)');
      return 0;
    case 'migrate': {
      const reports = await migrateAll(loadConfig());
      for (const r of reports) say(`${r.database}: ${r.applied.length ? r.applied.join(', ') : 'up to date'}`);
      return 0;
    }
    case 'start': {
      await up();
      buildHost();
      // The contacts service's old-space floor (deploy/k8s/base/contacts.yaml): fewer full collections in imports.
      return run(process.execPath, [
        '--enable-source-maps',
        '--initial-old-space-size=112',
        join(ROOT, 'dist/apps/missive/main.js'),
      ]);
    }
    case 'regions': {
      const { config } = await up();
      buildHost();
      return startRegions(config, join(ROOT, 'dist/apps/missive/main.js'));
    }
    case 'test': {
      const state = await up();
      ensureChromium();
      const resultsFile = join(ROOT, 'test-output', 'jest-results.json');
      mkdirSync(join(ROOT, 'test-output'), { recursive: true });
      // Coverage and its floor (coverageThreshold, jest.config.js) with COVERAGE=1 only, for now: jest's V8
      // coverage doubles the tests' CPU and adds about 5 s a file (docs/benchmarks.md), which would take the
      // in-band suite from about 27 to over 40 minutes on two cores and load its timing-sensitive tests.
      const coverage = process.env.COVERAGE === '1';
      const coverageSummary = join(ROOT, 'coverage', 'coverage-summary.json');
      if (coverage) rmSync(coverageSummary, { force: true });
      const code = await run(
        process.execPath,
        [
          join(ROOT, 'node_modules/jest/bin/jest.js'),
          '--json',
          `--outputFile=${resultsFile}`,
          ...(coverage ? ['--coverage'] : []),
          ...rest,
        ],
        { ...process.env, MISSIVE_STACK_READY: '1' },
      );
      printTotals(resultsFile, coverage ? coverageSummary : undefined);
      if (process.env.CI === 'true' && state.startedKafka) await stopLocalBroker(LOCAL_KAFKA_PORT);
      return code;
    }
    case 'bench': {
      const state = await up();
      const code = await run(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'bench/run.ts'), ...rest]);
      if (process.env.CI === 'true' && state.startedKafka) await stopLocalBroker(LOCAL_KAFKA_PORT);
      return code;
    }
    default:
      say(`unknown command "${command}" (up, down, migrate, start, regions, test, bench)`);
      return 2;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof PrerequisiteError) {
        process.stderr.write(`missive: ${(error as Error).message}\n`);
      } else {
        process.stderr.write(`missive: ${(error as Error).stack ?? String(error)}\n`);
      }
      process.exit(1);
    },
  );
}
