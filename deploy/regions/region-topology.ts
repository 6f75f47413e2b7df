// The per-region topology of docs/operations.md on one machine: each region its own Kafka broker (TLS + SASL/SCRAM
// when `secure`), Redis, PostgreSQL database, SMTP relay (a sink) and data folder, its services started with
// REGIONS=<region> and knowing no other region's stores; support once, for both regions, on the one global
// directory. Used by the two-region end-to-end test; everything is this topology's own (ports, databases, folders),
// so it runs beside the other test files.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { REGIONS, type Region } from '@missive/contracts';
import { DevMailSink } from '@missive/dev-mail';
import { ensureTopics } from '@missive/kafka';
import { createScratchDatabases, TEST_BOOTSTRAP_TOKEN, waitFor, type ScratchDatabases } from '@missive/testing';
import { ensureBundles } from '../distributed/build-services';
import { ServiceFleet, type ServiceProcess, type ServiceProcessSpec } from '../distributed/service-processes';
import { startLocalBroker, stopLocalBroker, type LocalBroker } from '../local/kafka-broker';
import { startLocalRedis, stopLocalRedis } from '../local/redis-server';

export interface RegionPorts {
  /** The broker's client port (its controller takes port+1, its inter-broker listener port+2). */
  kafka: number;
  redis: number;
}

export interface RegionTopologyOptions {
  uid: string;
  ports: Record<Region, RegionPorts>;
  /** Kafka over TLS with SASL/SCRAM (R-X2), as production requires. */
  secure: boolean;
  /** Campaign messages per second and tenant (R-S5), so a campaign lasts long enough to be interrupted. */
  sendRatePerSecond?: number;
  /** Base of the links in messages; tests call the region's link host with the path. */
  linksBaseUrl: string;
}

/** A region's Kafka client settings as the services get them (KAFKA_* of API.md). */
export interface RegionKafka {
  brokers: string[];
  ssl?: { ca: string[] };
  sasl?: { mechanism: 'scram-sha-512'; username: string; password: string };
}

const SCRAM = 'scram-sha-512';
const REGIONAL_SERVICES = 'contacts,tracking,unsubscribe,privacy';

export class RegionTopology {
  readonly fleet = new ServiceFleet();
  readonly sinks: Record<Region, DevMailSink> = {
    NA: new DevMailSink({ port: 0, keep: 20000 }),
    EEA: new DevMailSink({ port: 0, keep: 20000 }),
  };
  readonly dataDirs: Record<Region, string> = {
    NA: mkdtempSync(join(tmpdir(), 'missive-na-')),
    EEA: mkdtempSync(join(tmpdir(), 'missive-eea-')),
  };
  readonly queueNamespace: string;
  scratch!: ScratchDatabases;
  private readonly brokers = new Map<Region, LocalBroker>();
  private readonly kafkaUsers: Record<Region, { name: string; password: string }>;
  private readonly linkTokenKeys: string;

  constructor(readonly options: RegionTopologyOptions) {
    this.queueNamespace = `regions-${options.uid}`;
    this.kafkaUsers = {
      NA: { name: 'missive-na', password: randomBytes(18).toString('base64url') },
      EEA: { name: 'missive-eea', password: randomBytes(18).toString('base64url') },
    };
    this.linkTokenKeys = `r${options.uid.slice(0, 6)}:${randomBytes(24).toString('base64url')}`;
  }

  redisUrl(region: Region): string {
    return `redis://127.0.0.1:${this.options.ports[region].redis}`;
  }

  /** Admin (owner) URL of the region's database, or the global one. */
  databaseUrl(database: Region | 'global'): string {
    const env = this.scratch.env;
    return database === 'global'
      ? env.DATABASE_ADMIN_URL_GLOBAL
      : database === 'NA'
        ? env.DATABASE_ADMIN_URL_NA
        : env.DATABASE_ADMIN_URL_EEA;
  }

  kafka(region: Region): RegionKafka {
    const brokers = [`127.0.0.1:${this.options.ports[region].kafka}`];
    const broker = this.brokers.get(region);
    if (!this.options.secure || !broker?.caFile) return { brokers };
    const user = this.kafkaUsers[region];
    return {
      brokers,
      ssl: { ca: [readFileSync(broker.caFile, 'utf8')] },
      sasl: { mechanism: SCRAM, username: user.name, password: user.password },
    };
  }

  /** Brokers, Redis servers, databases, sinks and topics; then bundles are built if stale. */
  async startStores(): Promise<void> {
    await Promise.all(REGIONS.map((r) => this.sinks[r].start()));
    const [scratch] = await Promise.all([
      createScratchDatabases(`reg${this.options.uid}`, { regionsApart: true }),
      ...REGIONS.map(async (r) => {
        const broker = await startLocalBroker(this.options.ports[r].kafka, {
          fresh: true,
          ...(this.options.secure ? { secure: { users: [this.kafkaUsers[r]] } } : {}),
        });
        this.brokers.set(r, broker);
      }),
      ...REGIONS.map((r) => startLocalRedis(this.options.ports[r].redis)),
    ]);
    this.scratch = scratch;
    for (const region of REGIONS) {
      const admin = new Kafka({ clientId: 'regions-test', ...this.kafka(region), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [region]);
        await waitFor(
          async () => (await admin.fetchTopicMetadata()).topics.every((t) => t.partitions.every((x) => x.leader >= 0)),
          { what: `${region} partition leaders`, timeoutMs: 30000 },
        );
      } finally {
        await admin.disconnect();
      }
    }
    ensureBundles(['missive', 'campaigns', 'support']);
  }

  /** A region's Kafka settings as environment variables, with the suffix for one region or none. */
  private kafkaEnv(region: Region, suffix: '' | '_NA' | '_EEA'): Record<string, string> {
    const broker = this.brokers.get(region)!;
    const env: Record<string, string> = { [`KAFKA_BROKERS${suffix}`]: broker.brokers.join(',') };
    if (this.options.secure) {
      const user = this.kafkaUsers[region];
      Object.assign(env, {
        [`KAFKA_SSL${suffix}`]: 'true',
        [`KAFKA_SSL_CA_FILE${suffix}`]: broker.caFile!,
        [`KAFKA_SASL_MECHANISM${suffix}`]: SCRAM,
        [`KAFKA_SASL_USERNAME${suffix}`]: user.name,
        [`KAFKA_SASL_PASSWORD${suffix}`]: user.password,
      });
    }
    return env;
  }

  private common(): Record<string, string> {
    return {
      NODE_ENV: 'development',
      PUBLIC_BASE_URL: this.options.linksBaseUrl,
      QUEUE_NAMESPACE: this.queueNamespace,
      LINK_TOKEN_KEYS: this.linkTokenKeys,
      TENANT_SEND_RATE_PER_SECOND: String(this.options.sendRatePerSecond ?? 2000),
      PURGE_SWEEP_INTERVAL_MS: '500',
      LOG_LEVEL: 'warn',
      DATABASE_URL_GLOBAL: this.scratch.env.DATABASE_URL_GLOBAL,
    };
  }

  /**
   * The whole environment of a region's process. It is told only its own region's stores: the other region's
   * variables are left at their defaults pointing at this region's (shared-store defaults), so anything that wrongly
   * wrote the other region's data from here would land in this region's stores, where the residency scan finds it.
   */
  regionEnv(region: Region, extra: Record<string, string> = {}): Record<string, string> {
    const database = region === 'NA' ? this.scratch.env.DATABASE_URL_NA : this.scratch.env.DATABASE_URL_EEA;
    return {
      ...this.common(),
      REGIONS: region,
      ...this.kafkaEnv(region, ''),
      REDIS_URL: this.redisUrl(region),
      DATABASE_URL_NA: database,
      DATABASE_URL_EEA: database,
      SMTP_URL: `smtp://127.0.0.1:${this.sinks[region].port}`,
      DATA_DIR: this.dataDirs[region],
      ...extra,
    };
  }

  /** Support, once: both regions' stores, each by its own variables. */
  supportEnv(): Record<string, string> {
    return {
      ...this.common(),
      REGIONS: 'NA,EEA',
      ...this.kafkaEnv('NA', '_NA'),
      ...this.kafkaEnv('EEA', '_EEA'),
      // KAFKA_BROKERS is required; each region has its own above.
      KAFKA_BROKERS: this.brokers.get('NA')!.brokers.join(','),
      REDIS_URL_NA: this.redisUrl('NA'),
      REDIS_URL_EEA: this.redisUrl('EEA'),
      REDIS_URL: this.redisUrl('NA'),
      DATABASE_URL_NA: this.scratch.env.DATABASE_URL_NA,
      DATABASE_URL_EEA: this.scratch.env.DATABASE_URL_EEA,
      SMTP_URL_NA: `smtp://127.0.0.1:${this.sinks.NA.port}`,
      SMTP_URL_EEA: `smtp://127.0.0.1:${this.sinks.EEA.port}`,
      DATA_DIR: this.dataDirs.NA,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    };
  }

  /** The region's host (contacts, tracking, unsubscribe, privacy) as a spec. */
  hostSpec(region: Region): ServiceProcessSpec {
    return {
      service: 'missive',
      name: `${region.toLowerCase()}-host-${this.options.uid}`,
      env: this.regionEnv(region, { SERVICES: REGIONAL_SERVICES }),
    };
  }

  campaignsSpec(region: Region, replica: string): ServiceProcessSpec {
    return {
      service: 'campaigns',
      name: `${region.toLowerCase()}-campaigns-${replica}-${this.options.uid}`,
      env: this.regionEnv(region),
    };
  }

  supportSpec(): ServiceProcessSpec {
    return { service: 'support', name: `support-${this.options.uid}`, env: this.supportEnv() };
  }

  async startProcesses(specs: ServiceProcessSpec[]): Promise<ServiceProcess[]> {
    return this.fleet.start(specs);
  }

  /** Stops every process, broker and Redis server, drops the databases and folders; never throws. */
  async stop(): Promise<void> {
    await this.fleet.stopAll();
    await Promise.allSettled([
      ...REGIONS.map((r) => stopLocalBroker(this.options.ports[r].kafka)),
      ...REGIONS.map((r) => stopLocalRedis(this.options.ports[r].redis)),
      ...REGIONS.map((r) => this.sinks[r].stop()),
      this.scratch?.drop(),
    ]);
    for (const dir of Object.values(this.dataDirs)) rmSync(dir, { recursive: true, force: true });
  }
}
