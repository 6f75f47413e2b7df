import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { PrerequisiteError, requireCommand } from './prerequisites';

const ROOT = join(__dirname, '..', '..');
export const KAFKA_CACHE = join(ROOT, '.cache', 'kafka');
const LIBS = join(KAFKA_CACHE, 'libs');
const POM = join(__dirname, 'kafka', 'pom.xml');

/** Asks a broker for metadata; true when it answers within the timeout. */
export async function brokerAnswers(brokers: string[], timeoutMs = 3000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'missive-stack',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  const attempt = (async () => {
    await admin.connect();
    await admin.describeCluster();
    return true;
  })().catch(() => false);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  const answered = await Promise.race([attempt, timeout]);
  await admin.disconnect().catch(() => undefined);
  return answered;
}

/** Fetches Apache Kafka 3.9 (KRaft) and its runtime dependencies from Maven Central, once. */
export function ensureKafkaJars(): void {
  if (existsSync(LIBS) && readdirSync(LIBS).some((f) => f.startsWith('kafka_2.13-'))) return;
  requireCommand('java', ['-version'], 'install a JDK 17 or newer (e.g. apt-get install openjdk-17-jre-headless)');
  requireCommand('mvn', ['-v'], 'install Apache Maven (e.g. apt-get install maven)');
  console.log('missive: fetching the Kafka broker from Maven Central (once)…');
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${LIBS}`],
    { stdio: 'inherit' },
  );
  if (result.status !== 0)
    throw new PrerequisiteError('could not fetch Kafka with Maven (see above); check access to Maven Central');
}

export interface LocalBroker {
  port: number;
  brokers: string[];
  pid: number;
  stop(): Promise<void>;
}

function paths(port: number) {
  return {
    dir: join(KAFKA_CACHE, `broker-${port}`),
    data: join(KAFKA_CACHE, `broker-${port}`, 'data'),
    properties: join(KAFKA_CACHE, `broker-${port}`, 'server.properties'),
    log4j: join(KAFKA_CACHE, `broker-${port}`, 'log4j.properties'),
    log: join(KAFKA_CACHE, `broker-${port}`, 'broker.log'),
    pid: join(KAFKA_CACHE, `broker-${port}`, 'broker.pid'),
  };
}

function java(args: string[], log4j: string) {
  return ['-cp', `${LIBS}/*`, `-Dlog4j.configuration=file:${log4j}`, ...args];
}

/**
 * Starts a single-node KRaft broker (broker and controller) on 127.0.0.1:port with the JDK, in the background,
 * logging to a file under .cache/kafka. Storage is formatted once. Offsets and transaction-state topics have
 * replication factor 1 so consumer groups and transactions work on one node.
 */
export async function startLocalBroker(port: number, options: { fresh?: boolean } = {}): Promise<LocalBroker> {
  ensureKafkaJars();
  const p = paths(port);
  if (options.fresh) rmSync(p.dir, { recursive: true, force: true });
  mkdirSync(p.data, { recursive: true });
  writeFileSync(
    p.properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${port + 1}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${p.data}`,
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'log.retention.check.interval.ms=60000',
    ].join('\n') + '\n',
  );
  writeFileSync(
    p.log4j,
    [
      'log4j.rootLogger=INFO, file',
      'log4j.appender.file=org.apache.log4j.RollingFileAppender',
      `log4j.appender.file.File=${p.log}`,
      'log4j.appender.file.MaxFileSize=20MB',
      'log4j.appender.file.MaxBackupIndex=2',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=WARN',
      'log4j.logger.org.apache.kafka=WARN',
    ].join('\n') + '\n',
  );
  if (!existsSync(join(p.data, 'meta.properties'))) {
    const format = spawnSync(
      'java',
      java(
        ['kafka.tools.StorageTool', 'format', '-t', randomUUID().replace(/-/g, '').slice(0, 22), '-c', p.properties],
        p.log4j,
      ),
      {
        encoding: 'utf8',
      },
    );
    if (format.status !== 0) throw new Error(`formatting Kafka storage failed: ${format.stderr || format.stdout}`);
  }
  const out = openSync(join(p.dir, 'stdout.log'), 'a');
  const child = spawn(
    'java',
    ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', ...java(['kafka.Kafka', p.properties], p.log4j)],
    {
      detached: true,
      stdio: ['ignore', out, out],
    },
  );
  child.unref();
  writeFileSync(p.pid, String(child.pid));
  const brokers = [`127.0.0.1:${port}`];
  const deadline = Date.now() + 90000;
  while (!(await brokerAnswers(brokers, 2000))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the Kafka broker on port ${port} did not start; see ${p.log} and ${join(p.dir, 'stdout.log')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { port, brokers, pid: child.pid!, stop: () => stopLocalBroker(port) };
}

/** Stops the broker started on this port (SIGTERM, then SIGKILL after 20 s); a no-op if none runs. */
export async function stopLocalBroker(port: number): Promise<void> {
  const p = paths(port);
  if (!existsSync(p.pid)) return;
  const pid = Number(readFileSync(p.pid, 'utf8'));
  rmSync(p.pid, { force: true });
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive()) process.kill(pid, 'SIGKILL');
}
