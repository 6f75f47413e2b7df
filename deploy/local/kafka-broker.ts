import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConnection } from '@missive/kafka';
import { stopByPidFile } from './pid-file';
import { PrerequisiteError, requireCommand } from './prerequisites';

const ROOT = join(__dirname, '..', '..');
export const KAFKA_CACHE = join(ROOT, '.cache', 'kafka');
const LIBS = join(KAFKA_CACHE, 'libs');
const POM = join(__dirname, 'kafka', 'pom.xml');

/** Asks a broker for metadata (over TLS and SASL when the connection says so); true when it answers in time. */
export async function brokerAnswers(connection: KafkaConnection, timeoutMs = 3000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'missive-stack',
    ...connection,
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
  /** With `secure`: the PEM of the CA that signed the broker's certificate (for KAFKA_SSL_CA_FILE). */
  caFile: string | null;
  pid: number;
  stop(): Promise<void>;
}

export interface LocalBrokerOptions {
  /** Wipe the broker's folder (storage, and with `secure` its certificates) first. */
  fresh?: boolean;
  /**
   * Serve clients on the port over TLS with SASL/SCRAM (SASL_SSL; SCRAM-SHA-512 and -256) instead of plaintext.
   * The users (at least one; the first checks that the broker answers) are created when the storage is formatted,
   * so changing them needs `fresh`.
   */
  secure?: { users: { name: string; password: string }[] };
}

function paths(port: number) {
  return {
    dir: join(KAFKA_CACHE, `broker-${port}`),
    data: join(KAFKA_CACHE, `broker-${port}`, 'data'),
    properties: join(KAFKA_CACHE, `broker-${port}`, 'server.properties'),
    log4j: join(KAFKA_CACHE, `broker-${port}`, 'log4j.properties'),
    log: join(KAFKA_CACHE, `broker-${port}`, 'broker.log'),
    pid: join(KAFKA_CACHE, `broker-${port}`, 'broker.pid'),
    tls: join(KAFKA_CACHE, `broker-${port}`, 'tls'),
  };
}

/** Only protects the local test broker's throw-away keystores, which never leave .cache. */
const LOCAL_STORE_PASSWORD = 'missive-local-broker';

function keytool(args: string[]): void {
  const result = spawnSync('keytool', [...args, '-storepass', LOCAL_STORE_PASSWORD, '-noprompt'], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`keytool ${args[0]} failed: ${result.stderr || result.stdout || result.error?.message}`);
}

/**
 * A CA and a broker certificate signed by it (SAN 127.0.0.1 and localhost), made once with the JDK's keytool:
 * PKCS12 keystore and truststore for the broker, the CA as PEM for clients.
 */
function ensureBrokerCertificates(dir: string): { keystore: string; truststore: string; caPem: string } {
  const files = {
    keystore: join(dir, 'broker.keystore.p12'),
    truststore: join(dir, 'broker.truststore.p12'),
    caPem: join(dir, 'ca.pem'),
  };
  if (Object.values(files).every((f) => existsSync(f))) return files;
  requireCommand('keytool', ['-help'], 'install a JDK 17 or newer (keytool makes the local TLS certificates)');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ca = join(dir, 'ca.p12');
  const csr = join(dir, 'broker.csr');
  const signed = join(dir, 'broker.pem');
  const san = 'SAN=ip:127.0.0.1,dns:localhost';
  const common = ['-storetype', 'PKCS12', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650'];
  keytool(['-genkeypair', '-alias', 'ca', '-dname', 'CN=Missive local CA', '-ext', 'bc:c', '-keystore', ca, ...common]);
  keytool(['-exportcert', '-rfc', '-alias', 'ca', '-keystore', ca, '-file', files.caPem]);
  keytool(['-genkeypair', '-alias', 'broker', '-dname', 'CN=localhost', '-keystore', files.keystore, ...common]);
  keytool(['-certreq', '-alias', 'broker', '-keystore', files.keystore, '-file', csr]);
  keytool(['-gencert', '-rfc', '-alias', 'ca', '-keystore', ca, '-infile', csr, '-outfile', signed, '-ext', san]);
  keytool(['-importcert', '-alias', 'ca', '-file', files.caPem, '-keystore', files.keystore]);
  keytool(['-importcert', '-alias', 'broker', '-file', signed, '-keystore', files.keystore]);
  keytool(['-importcert', '-alias', 'ca', '-file', files.caPem, '-keystore', files.truststore, '-storetype', 'PKCS12']);
  return files;
}

/**
 * Listeners of the broker: plaintext by default; with `secure`, SASL_SSL on the port and a plaintext listener on
 * port+2, bound to 127.0.0.1, for the broker's own inter-broker traffic. The controller is plaintext on port+1.
 */
function listenerProperties(port: number, tlsDir: string, secure: LocalBrokerOptions['secure']): string[] {
  if (!secure)
    return [
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    ];
  const tls = ensureBrokerCertificates(tlsDir);
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return [
    `listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1},INTERNAL://127.0.0.1:${port + 2}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${port},INTERNAL://127.0.0.1:${port + 2}`,
    'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT',
    'inter.broker.listener.name=INTERNAL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${tls.keystore}`,
    `ssl.keystore.password=${LOCAL_STORE_PASSWORD}`,
    `ssl.key.password=${LOCAL_STORE_PASSWORD}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${tls.truststore}`,
    `ssl.truststore.password=${LOCAL_STORE_PASSWORD}`,
    'ssl.client.auth=none',
  ];
}

function java(args: string[], log4j: string) {
  return ['-cp', `${LIBS}/*`, `-Dlog4j.configuration=file:${log4j}`, ...args];
}

/**
 * Starts a single-node KRaft broker (broker and controller) on 127.0.0.1:port with the JDK, in the background,
 * logging to a file under .cache/kafka. Storage is formatted once. Offsets and transaction-state topics have
 * replication factor 1 so consumer groups and transactions work on one node.
 */
export async function startLocalBroker(port: number, options: LocalBrokerOptions = {}): Promise<LocalBroker> {
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
      ...listenerProperties(port, p.tls, options.secure),
      'controller.listener.names=CONTROLLER',
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
        [
          'kafka.tools.StorageTool',
          'format',
          '-t',
          randomUUID().replace(/-/g, '').slice(0, 22),
          '-c',
          p.properties,
          ...(options.secure?.users ?? []).flatMap((u) =>
            ['SCRAM-SHA-512', 'SCRAM-SHA-256'].flatMap((m) => [
              '--add-scram',
              `${m}=[name=${u.name},password=${u.password}]`,
            ]),
          ),
        ],
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
  const caFile = options.secure ? join(p.tls, 'ca.pem') : null;
  const user = options.secure?.users[0];
  const connection: KafkaConnection = {
    brokers,
    ...(caFile ? { ssl: { ca: [readFileSync(caFile, 'utf8')] } } : {}),
    ...(user ? { sasl: { mechanism: 'scram-sha-512', username: user.name, password: user.password } } : {}),
  };
  const deadline = Date.now() + 90000;
  while (!(await brokerAnswers(connection, 2000))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the Kafka broker on port ${port} did not start; see ${p.log} and ${join(p.dir, 'stdout.log')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { port, brokers, caFile, pid: child.pid!, stop: () => stopLocalBroker(port) };
}

/** Stops the broker started on this port (SIGTERM, then SIGKILL after 20 s); a no-op if none runs. */
export async function stopLocalBroker(port: number): Promise<void> {
  await stopByPidFile(paths(port).pid, 20000);
}
