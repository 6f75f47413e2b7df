import type { Region } from '@missive/contracts';

/** How a region's Kafka clients authenticate and encrypt: `tls` null is plaintext, `sasl` null no SASL. */
export interface KafkaSecurity {
  /** `ca`: PEM of the CA the brokers' certificates chain to, read from KAFKA_SSL_CA_FILE; null trusts the system's. */
  tls: { ca: string | null } | null;
  sasl: { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | null;
}

/**
 * The one typed configuration object of a Missive process. It is also the Nest injection token:
 * `constructor(private readonly config: MissiveConfig)`. Nothing outside libs/config reads process.env.
 */
export abstract class MissiveConfig {
  abstract readonly nodeEnv: 'development' | 'test' | 'production';
  abstract readonly production: boolean;
  abstract readonly instanceId: string;
  abstract readonly logLevel: string;
  abstract readonly regions: readonly Region[];
  abstract readonly http: {
    port: number;
    supportPort: number;
    publicBaseUrl: string;
    /** TRUSTED_PROXIES: addresses and CIDR ranges whose X-Forwarded-For is believed (R-X6); empty: none. */
    trustedProxies: string[];
  };
  abstract readonly kafka: {
    clientId: string;
    brokers: Record<Region, string[]>;
    /** TLS and SASL/SCRAM per region (R-X2); libs/kafka turns them into kafkajs options. */
    security: Record<Region, KafkaSecurity>;
  };
  abstract readonly databases: {
    global: string;
    regional: Record<Region, string>;
    adminGlobal: string;
    adminRegional: Record<Region, string>;
  };
  abstract readonly redis: Record<Region, string>;
  abstract readonly smtp: {
    /** SMTP_URL: the shared relay, or null (then the dev sink serves regions without a relay of their own). */
    url: string | null;
    /** Each region's relay (SMTP_URL_NA / _EEA, default SMTP_URL), or null for the dev sink. */
    urls: Record<Region, string | null>;
    /** Connections of a campaigns process's pool to the relay. */
    maxConnections: number;
    devSinkPort: number;
    inboundPort: number;
    /** BOUNCE_DOMAIN: the domain of every message's VERP Return-Path `bounce+{token}@…` (R-S8). */
    bounceDomain: string;
    /** DKIM signing of outgoing campaign messages (R-S5), or null. */
    dkim: { domainName: string; keySelector: string; privateKey: string } | null;
  };
  /** R-S9: what a sending domain's SPF record includes, and the DNS servers its verification asks (null: the system's). */
  abstract readonly sendingDomains: { spfInclude: string; dnsServers: string[] | null };
  /**
   * R-A1: SUPPORT_BOOTSTRAP_TOKEN stands for an admin of `bootstrapRegion` for `bootstrapTtlSeconds` after start;
   * with `retireBootstrapOnAdmin` (production) no longer once an active admin staff token of that region exists.
   */
  abstract readonly support: {
    bootstrapToken: string | null;
    bootstrapRegion: Region;
    bootstrapTtlSeconds: number;
    retireBootstrapOnAdmin: boolean;
  };
  abstract readonly purge: { sweepIntervalMs: number; batchSize: number };
  /** R-S8: the provider webhooks' secrets; null turns that provider's route off (404). */
  abstract readonly providerHooks: {
    ses: { topicArns: string[]; trustedCerts: string[] | null } | null;
    sendgridPublicKey: string | null;
    postmark: { user: string; password: string } | null;
    mailgunSigningKey: string | null;
  };
  /** R-A3: the audit chain's HMAC keys (the first signs; never stored in the database) and the anchoring interval. */
  abstract readonly audit: { chainKeys: { kid: string; secret: string }[]; anchorIntervalMs: number };
  /** R-C3: per regime, the age under which a contact is refused and never mailed (MINIMUM_AGE_NA / _EEA). */
  abstract readonly minimumAges: Readonly<Record<Region, number>>;
  abstract readonly limits: {
    tenantRatePerSecond: number;
    tenantSendRatePerSecond: number;
    /** Bytes of import files one tenant may have on disk at once (R-X6). */
    tenantImportQuotaBytes: number;
    /** R-X6: requests a minute to the recipient routes per client IP and per token before nothing is recorded (0: no limit). */
    recipientRatePerIpPerMinute: number;
    recipientRatePerTokenPerMinute: number;
    /** R-X6: replays of one open or click within this many seconds count once (0: every one counts). */
    recipientReplayWindowSeconds: number;
  };
  /** R-X6: how long a client, a statement or a transaction may hold a resource, in milliseconds. */
  abstract readonly timeouts: {
    httpHeadersMs: number;
    httpRequestMs: number;
    httpKeepAliveMs: number;
    httpIdleMs: number;
    dbStatementMs: number;
    dbIdleInTransactionMs: number;
  };
  abstract readonly linkTokenKeys: { kid: string; secret: string }[];
  /** SINGLE_NODE_WORKERS: worker processes of the single-node host (1: none, it runs in one process). */
  abstract readonly singleNodeWorkers: number;
  /** WORKER_SLOT: this process's slot among the single-node host's workers (0 leads), or null outside one. */
  abstract readonly workerSlot: number | null;
  /** SERVICES: the names of the services this process runs, or null for all of them. */
  abstract readonly services: string | null;
  abstract readonly dataDir: string;
  /** The tracking spool's folder, apart from DATA_DIR's tenant folders. */
  abstract readonly spoolDir: string;
  /** Appended to BullMQ key prefixes (`na:bull`, `na:bull:<ns>`); tests isolate their queues with it. */
  abstract readonly queueNamespace: string | null;
  /** 32 bytes wrapping the tenants' data keys. */
  abstract readonly tenantKeyMaster: Buffer;
}
