// The single-node host (dist/apps/missive, every service in one process) on a broker, databases and folders of its
// own, for the abuse suite and `npm run bench abuse`: the attacks run from this process against the host's ports,
// so what the host's event loop suffers is measured from outside (its /health) and inside (its event-loop lag).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@missive/config';
import { DevMailSink } from '@missive/dev-mail';
import { ensureTopics } from '@missive/kafka';
import {
  createScratchDatabases,
  createTestTenant,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type ScratchDatabases,
  type TestTenant,
} from '@missive/testing';
import { LinkTokenSigner } from '@missive/tokens';
import { ensureBundles } from '../distributed/build-services';
import { ServiceFleet, type ServiceProcess } from '../distributed/service-processes';
import { startLocalBroker, stopLocalBroker } from '../local/kafka-broker';

export const LINKS_BASE = 'http://links.abuse.test';

export class AbuseHost {
  readonly uid = randomUUID().slice(0, 8);
  readonly sink = new DevMailSink({ port: 0, keep: 5000 });
  readonly fleet = new ServiceFleet();
  readonly dataDir = mkdtempSync(join(tmpdir(), 'missive-abuse-'));
  readonly linkKey = { kid: `a${this.uid.slice(0, 5)}`, secret: randomBytes(24).toString('base64url') };
  readonly signer = new LinkTokenSigner([this.linkKey]);
  host!: ServiceProcess;
  private scratch: ScratchDatabases | undefined;
  private brokerStarted = false;

  constructor(private readonly brokerPort: number) {}

  async start(): Promise<void> {
    ensureBundles(['missive']);
    await this.sink.start();
    const [scratch] = await Promise.all([
      createScratchDatabases(`abuse${this.uid}`),
      startLocalBroker(this.brokerPort, { fresh: true }).then(() => (this.brokerStarted = true)),
    ]);
    this.scratch = scratch;
    const admin = new Kafka({
      clientId: 'abuse',
      brokers: [`127.0.0.1:${this.brokerPort}`],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, ['NA', 'EEA']);
      await waitFor(
        async () => (await admin.fetchTopicMetadata()).topics.every((t) => t.partitions.every((x) => x.leader >= 0)),
        { what: 'partition leaders', timeoutMs: 30000 },
      );
    } finally {
      await admin.disconnect();
    }
    [this.host] = await this.fleet.start([
      {
        service: 'missive',
        name: `abuse-host-${this.uid}`,
        env: {
          ...scratch.env,
          NODE_ENV: 'development',
          KAFKA_BROKERS: `127.0.0.1:${this.brokerPort}`,
          REDIS_URL: loadConfig().redis.NA,
          SMTP_URL: `smtp://127.0.0.1:${this.sink.port}`,
          PUBLIC_BASE_URL: LINKS_BASE,
          QUEUE_NAMESPACE: `abuse-${this.uid}`,
          DATA_DIR: this.dataDir,
          LINK_TOKEN_KEYS: `${this.linkKey.kid}:${this.linkKey.secret}`,
          SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
          LOG_LEVEL: 'warn',
          // The suppression uploads held open by the slow-upload attack end well inside the suite.
          HTTP_REQUEST_TIMEOUT_MS: '20000',
          HTTP_HEADERS_TIMEOUT_MS: '10000',
        },
      },
    ]);
  }

  tenant(name: string): Promise<TestTenant> {
    return createTestTenant({ supportUrl: this.host.supportUrl }, { region: 'NA', name });
  }

  /** The host's event-loop lag at its worst since the previous call, in ms (prom-client resets it per scrape). */
  async eventLoopMaxMs(): Promise<number> {
    const text = await (await fetch(`${this.host.publicUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('missive_nodejs_eventloop_lag_max_seconds'));
    return Math.round(Number(line?.split(' ').pop() ?? 0) * 1000);
  }

  async stop(): Promise<void> {
    await this.fleet.stopAll();
    if (this.brokerStarted) await stopLocalBroker(this.brokerPort);
    await this.scratch?.drop();
    await this.sink.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
