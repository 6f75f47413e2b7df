import { loadConfig, type MissiveConfig } from '@missive/config';
import { REGIONS, type Region } from '@missive/contracts';
import { Databases, type EntityRegistry } from '@missive/database';
import { KafkaClients, OutboxRelay, ResilientProducer, ensureTopics, type PurgedTenants } from '@missive/kafka';
import { createLogger, Metrics, type Logger } from '@missive/observability';
import { ensureNoEviction, RedisClients } from '@missive/redis';
import { TenantKeys } from '@missive/tenant-keys';
import { Clock, SystemClock } from './clock';
import { registerStoreMetrics } from './store-metrics';
import { LinkTokenSigner } from '@missive/tokens';

export interface PlatformOptions {
  config?: MissiveConfig;
  entities?: EntityRegistry;
  logger?: Logger;
  /** Relay the outboxes from this process (default true; the relays elect one leader per database). */
  relays?: boolean;
  /** The process's time (default: the wall clock). */
  clock?: Clock;
}

/**
 * Everything a Missive process shares between its Nest applications (public and support listeners): config,
 * logger, metrics, the databases, Kafka clients and producers, Redis. Created once per process, so single-node
 * mode opens each connection pool once however many services it hosts.
 */
export class Platform {
  readonly config: MissiveConfig;
  readonly logger: Logger;
  readonly metrics = new Metrics();
  readonly databases: Databases;
  readonly kafka: KafkaClients;
  readonly redis: RedisClients;
  readonly tenantKeys: TenantKeys;
  /** The process's link-token signer (R-K1: the first of LINK_TOKEN_KEYS signs, every key verifies). */
  readonly linkTokens: LinkTokenSigner;
  readonly clock: Clock;
  /** The reader of purged tenants the event servers ask (R-P6); set by libs/tenancy's TenantStates when created. */
  purgedTenants: PurgedTenants | null = null;
  private readonly producers = new Map<Region, ResilientProducer>();
  private readonly relays: OutboxRelay[] = [];
  private readonly runRelays: boolean;

  constructor(options: PlatformOptions = {}) {
    this.config = options.config ?? loadConfig();
    this.logger = options.logger ?? createLogger({ level: this.config.logLevel });
    this.databases = new Databases(this.config, options.entities ?? { global: [], regional: [] });
    this.kafka = new KafkaClients(this.config, this.logger);
    this.redis = new RedisClients(this.config);
    this.tenantKeys = new TenantKeys(this.config, this.databases);
    this.linkTokens = new LinkTokenSigner(this.config.linkTokenKeys);
    this.runRelays = options.relays ?? true;
    this.clock = options.clock ?? new SystemClock();
    registerStoreMetrics(this);
  }

  /** The idempotent producer for a region's brokers; one per distinct broker list. */
  producer(region: Region): ResilientProducer {
    const kafka = this.kafka.forRegion(region);
    for (const [r, p] of this.producers) if (this.kafka.forRegion(r) === kafka) return p;
    const created = new ResilientProducer(kafka);
    this.producers.set(region, created);
    return created;
  }

  async start(): Promise<void> {
    await this.databases.connect();
    try {
      await this.databases.checkLogins();
    } catch (error) {
      await this.databases.close();
      throw error;
    }
    await this.redis.connect();
    for (const redis of this.redis.distinct()) await ensureNoEviction(redis, this.logger);
    for (const { kafka, regions } of this.kafka.distinct()) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, regions);
      } finally {
        await admin.disconnect();
      }
    }
    if (this.runRelays) this.startRelays();
  }

  private startRelays(): void {
    const served = REGIONS.filter((r) => this.config.regions.includes(r));
    // The global directory's outbox holds both regions' events: each served region relays its own rows (R-T2).
    const targets = [
      ...served.map((r) => ({ name: `global-${r.toLowerCase()}`, url: this.config.databases.global, region: r })),
      ...served.map((r) => ({ name: r.toLowerCase(), url: this.config.databases.regional[r] })),
    ];
    for (const target of targets) {
      const relay = new OutboxRelay({
        ...target,
        producerFor: (r) => this.producer(r),
        logger: this.logger,
        metrics: this.metrics,
      });
      relay.start();
      this.relays.push(relay);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.relays.map((r) => r.stop()));
    this.relays.length = 0;
    await Promise.all([...this.producers.values()].map((p) => p.close()));
    this.producers.clear();
    await this.redis.close();
    await this.databases.close();
  }
}
