// `npm run start:regions`: the per-region topology for a person to try, on this machine. NA uses the stack of
// `npm start` (broker 9092, the machine's Redis, missive_na); EEA gets a broker on 9192 and a Redis on 6380 of its
// own; the one global directory is shared. Three processes of the single-node bundle: one per region with the
// regional services (REGIONS=<region>, told only of its own stores), and support once for both. Each region's mail
// goes to a sink of its own, printed here as it arrives.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { simpleParser } from 'mailparser';
import type { MissiveConfig } from '@missive/config';
import { DevMailSink } from '@missive/dev-mail';
import { ensureTopics } from '@missive/kafka';
import { startLocalBroker } from '../local/kafka-broker';
import { startLocalRedis } from '../local/redis-server';

const ROOT = join(__dirname, '..', '..');
export const EEA_KAFKA_PORT = 9192;
export const EEA_REDIS_PORT = 6380;
const SINK_PORTS = { NA: 2525, EEA: 2535 };
const REGIONAL_SERVICES = 'contacts,campaigns,tracking,unsubscribe,privacy';

function say(message: string): void {
  process.stdout.write(`missive: ${message}\n`);
}

/** Prefixes every line a child prints with its name. */
function pipe(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
}

/** Starts the EEA stores, the sinks and the three processes; resolves with the exit code once they all ended. */
export async function startRegions(config: MissiveConfig, bundle: string): Promise<number> {
  say(`starting the EEA broker on 127.0.0.1:${EEA_KAFKA_PORT} and Redis on 127.0.0.1:${EEA_REDIS_PORT}…`);
  const [eeaBroker, eeaRedis] = await Promise.all([startLocalBroker(EEA_KAFKA_PORT), startLocalRedis(EEA_REDIS_PORT)]);
  const admin = new Kafka({
    clientId: 'missive-stack',
    brokers: eeaBroker.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, ['EEA']);
  } finally {
    await admin.disconnect();
  }

  const sinks = { NA: new DevMailSink({ port: SINK_PORTS.NA }), EEA: new DevMailSink({ port: SINK_PORTS.EEA }) };
  const printed = new Set<string>();
  for (const sink of Object.values(sinks)) await sink.start();
  const printer = setInterval(() => {
    for (const [region, sink] of Object.entries(sinks)) {
      for (const message of sink.list().filter((m) => !printed.has(m.id))) {
        printed.add(message.id);
        void simpleParser(message.raw).then((mail) =>
          say(`${region} relay got mail from ${message.from} to ${message.to.join(', ')}: "${mail.subject ?? ''}"`),
        );
      }
    }
  }, 500);

  const kafkaNa = config.kafka.brokers.NA.join(',');
  const eeaDir = join(config.dataDir, 'regions-eea');
  mkdirSync(eeaDir, { recursive: true });
  // Three hosts already share the machine: each runs in one process unless SINGLE_NODE_WORKERS says otherwise.
  const common = {
    SINGLE_NODE_WORKERS: '1',
    ...process.env,
    DATABASE_URL_GLOBAL: config.databases.global,
    LOG_LEVEL: config.logLevel,
  };
  const processes = {
    na: {
      ...common,
      SERVICES: REGIONAL_SERVICES,
      REGIONS: 'NA',
      PORT: '3000',
      INBOUND_SMTP_PORT: '2526',
      KAFKA_BROKERS: kafkaNa,
      REDIS_URL: config.redis.NA,
      DATABASE_URL_NA: config.databases.regional.NA,
      SMTP_URL: `smtp://127.0.0.1:${SINK_PORTS.NA}`,
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    },
    eea: {
      ...common,
      SERVICES: REGIONAL_SERVICES,
      REGIONS: 'EEA',
      PORT: '3001',
      INBOUND_SMTP_PORT: '2527',
      KAFKA_BROKERS: eeaBroker.brokers.join(','),
      REDIS_URL: eeaRedis.url,
      DATABASE_URL_EEA: config.databases.regional.EEA,
      SMTP_URL: `smtp://127.0.0.1:${SINK_PORTS.EEA}`,
      PUBLIC_BASE_URL: 'http://127.0.0.1:3001',
      DATA_DIR: eeaDir,
    },
    support: {
      ...common,
      SERVICES: 'support',
      REGIONS: 'NA,EEA',
      PORT: '3002',
      SUPPORT_PORT: '3100',
      KAFKA_BROKERS: kafkaNa,
      KAFKA_BROKERS_NA: kafkaNa,
      KAFKA_BROKERS_EEA: eeaBroker.brokers.join(','),
      REDIS_URL_NA: config.redis.NA,
      REDIS_URL_EEA: eeaRedis.url,
      DATABASE_URL_NA: config.databases.regional.NA,
      DATABASE_URL_EEA: config.databases.regional.EEA,
      SMTP_URL_NA: `smtp://127.0.0.1:${SINK_PORTS.NA}`,
      SMTP_URL_EEA: `smtp://127.0.0.1:${SINK_PORTS.EEA}`,
    },
  };
  const children = Object.entries(processes).map(([name, env]) => {
    const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pipe(child, name);
    return child;
  });
  say(
    'per-region topology: NA API and links http://127.0.0.1:3000, EEA http://127.0.0.1:3001, ' +
      'support http://127.0.0.1:3100 (tenant notices on :3002); mail is printed here. ' +
      'Ctrl-C stops the processes; `npm run stack:down` stops the brokers and the EEA Redis.',
  );
  const stop = () => children.forEach((c) => c.kill('SIGTERM'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const codes = await Promise.all(
    children.map((child) => new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)))),
  );
  clearInterval(printer);
  await Promise.all(Object.values(sinks).map((s) => s.stop()));
  return Math.max(...codes);
}
