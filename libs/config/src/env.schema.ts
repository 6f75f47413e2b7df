import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s/]+(:\d+)?\/[\w-]+(\?\S*)?$/;
const REDIS_URL = /^rediss?:\/\/(\S*@)?[\w.-]+(:\d+)?(\/\d+)?$/;
const SMTP_URL = /^smtps?:\/\/(\S*@)?[\w.-]+(:\d+)?\/?(\?\S*)?$/;
const BROKER_LIST = /^[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*$/;
const HTTP_URL = /^https?:\/\/[\w.-]+(:\d+)?(\/\S*)?$/;
const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512'];

/**
 * Ports accept 0 ("any free port", used by tests that run in parallel).
 *
 * The environment Missive reads, with the defaults of ../shared/API.md. Values arrive as strings; numbers are
 * converted by `loadConfig` before validation so a bad one is named ("PORT must be an integer…").
 */
export class EnvSchema {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsInt()
  @Min(0)
  @Max(65535)
  SUPPORT_PORT = 3100;

  @Matches(HTTP_URL, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  @Matches(BROKER_LIST, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsOptional()
  @Matches(BROKER_LIST, { message: 'KAFKA_BROKERS_NA must be a comma-separated list of host:port' })
  KAFKA_BROKERS_NA?: string;

  @IsOptional()
  @Matches(BROKER_LIST, { message: 'KAFKA_BROKERS_EEA must be a comma-separated list of host:port' })
  KAFKA_BROKERS_EEA?: string;

  /**
   * Kafka over TLS and SASL/SCRAM (R-X2), each also per region (`_NA` / `_EEA`, defaulting to the unsuffixed one).
   * Production requires both for every served region.
   */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'KAFKA_SSL must be true or false' })
  KAFKA_SSL?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'KAFKA_SSL_NA must be true or false' })
  KAFKA_SSL_NA?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'KAFKA_SSL_EEA must be true or false' })
  KAFKA_SSL_EEA?: string;

  /** PEM file of the CA the brokers' certificates chain to; unset: the system's CAs. */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE?: string;

  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE_NA?: string;

  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE_EEA?: string;

  @IsOptional()
  @IsIn(SASL_MECHANISMS, { message: 'KAFKA_SASL_MECHANISM must be scram-sha-256 or scram-sha-512' })
  KAFKA_SASL_MECHANISM?: string;

  @IsOptional()
  @IsIn(SASL_MECHANISMS, { message: 'KAFKA_SASL_MECHANISM_NA must be scram-sha-256 or scram-sha-512' })
  KAFKA_SASL_MECHANISM_NA?: string;

  @IsOptional()
  @IsIn(SASL_MECHANISMS, { message: 'KAFKA_SASL_MECHANISM_EEA must be scram-sha-256 or scram-sha-512' })
  KAFKA_SASL_MECHANISM_EEA?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_USERNAME?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_USERNAME_NA?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_USERNAME_EEA?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD_NA?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD_EEA?: string;

  @Matches(POSTGRES_URL, { message: 'DATABASE_URL_GLOBAL must be a postgres:// URL with a database name' })
  DATABASE_URL_GLOBAL = 'postgres://missive_app:missive_app@127.0.0.1:5432/missive_global';

  @Matches(POSTGRES_URL, { message: 'DATABASE_URL_NA must be a postgres:// URL with a database name' })
  DATABASE_URL_NA = 'postgres://missive_app:missive_app@127.0.0.1:5432/missive_na';

  @Matches(POSTGRES_URL, { message: 'DATABASE_URL_EEA must be a postgres:// URL with a database name' })
  DATABASE_URL_EEA = 'postgres://missive_app:missive_app@127.0.0.1:5432/missive_eea';

  /** Owner connections, used only to create databases and run migrations; the app itself is not the owner (R-T1). */
  @Matches(POSTGRES_URL, { message: 'DATABASE_ADMIN_URL_GLOBAL must be a postgres:// URL with a database name' })
  DATABASE_ADMIN_URL_GLOBAL = 'postgres://postgres@127.0.0.1:5432/missive_global';

  @Matches(POSTGRES_URL, { message: 'DATABASE_ADMIN_URL_NA must be a postgres:// URL with a database name' })
  DATABASE_ADMIN_URL_NA = 'postgres://postgres@127.0.0.1:5432/missive_na';

  @Matches(POSTGRES_URL, { message: 'DATABASE_ADMIN_URL_EEA must be a postgres:// URL with a database name' })
  DATABASE_ADMIN_URL_EEA = 'postgres://postgres@127.0.0.1:5432/missive_eea';

  @Matches(REDIS_URL, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @IsOptional()
  @Matches(REDIS_URL, { message: 'REDIS_URL_NA must be a redis:// URL' })
  REDIS_URL_NA?: string;

  @IsOptional()
  @Matches(REDIS_URL, { message: 'REDIS_URL_EEA must be a redis:// URL' })
  REDIS_URL_EEA?: string;

  @IsOptional()
  @Matches(SMTP_URL, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** Services a process runs, comma-separated (the single-node host narrowed, e.g. one region's services). */
  @IsOptional()
  @Matches(/^[\w\s,-]*$/, { message: 'SERVICES must be a comma-separated list of service names' })
  SERVICES?: string;

  /**
   * Worker processes of the single-node host (`npm start`), each running every service, sharing its ports. Default
   * one per two cores, at most 4 (the broker and databases share the machine): 1 on 2 cores, where it runs in one
   * process.
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16)
  SINGLE_NODE_WORKERS?: number;

  /**
   * Set by the single-node host on the workers it starts: 0 for the lead worker (it also hosts the support port and
   * the dev mail sink, which keeps messages in memory), 1… for the others. Unset in any other process.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(15)
  WORKER_SLOT?: number;

  /** Per-region relays (R-T2: the relay sees personal data, so it is a regional store); default SMTP_URL. */
  @IsOptional()
  @Matches(SMTP_URL, { message: 'SMTP_URL_NA must be an smtp:// or smtps:// URL' })
  SMTP_URL_NA?: string;

  @IsOptional()
  @Matches(SMTP_URL, { message: 'SMTP_URL_EEA must be an smtp:// or smtps:// URL' })
  SMTP_URL_EEA?: string;

  /** Connections a campaigns process keeps open to the relay (R-S5). */
  @IsInt()
  @Min(1)
  @Max(500)
  SMTP_MAX_CONNECTIONS = 40;

  /** Port of the dev mail sink started when SMTP_URL is unset. */
  @IsInt()
  @Min(0)
  @Max(65535)
  DEV_MAIL_PORT = 2525;

  @IsInt()
  @Min(0)
  @Max(65535)
  INBOUND_SMTP_PORT = 2526;

  /** Domain of the VERP Return-Path `bounce+{token}@…` (R-S8); default: the host of PUBLIC_BASE_URL. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, { message: 'BOUNCE_DOMAIN must be a domain name' })
  BOUNCE_DOMAIN?: string;

  /**
   * R-S9: the domain whose SPF record lists Missive's relays, which a tenant's sending domain includes in its own SPF
   * (`include:…`); default: BOUNCE_DOMAIN, the envelope sender's domain.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/, { message: 'SPF_INCLUDE must be a domain name' })
  SPF_INCLUDE?: string;

  /**
   * R-S9: DNS servers that verify sending domains, `ip[:port]` comma-separated (tests point it at a loopback
   * server); default: the system's resolvers.
   */
  @IsOptional()
  @Matches(/^[0-9A-Fa-f.:[\]]+(,[0-9A-Fa-f.:[\]]+)*$/, { message: 'DNS_RESOLVER must be ip[:port], comma-separated' })
  DNS_RESOLVER?: string;

  /**
   * R-S8 provider webhooks (`/hooks/…` on the public port); each route answers 404 while its secret is unset.
   * SES_TOPIC_ARNS: the SNS topics whose messages are taken (comma-separated; a signature proves only that SNS sent
   * it, not whose topic). SES_TRUSTED_CERTS: PEM certificates (or a path to a PEM file) that SNS signatures are
   * checked against instead of fetching SigningCertURL from an amazonaws.com host.
   */
  @IsOptional()
  @Matches(/^arn:[^,\s]+(,arn:[^,\s]+)*$/, { message: 'SES_TOPIC_ARNS must be comma-separated SNS topic ARNs' })
  SES_TOPIC_ARNS?: string;

  @IsOptional()
  @IsString()
  SES_TRUSTED_CERTS?: string;

  /** SendGrid's "verification key": base64 DER (as its console shows it) or PEM, an ECDSA P-256 public key. */
  @IsOptional()
  @IsString()
  SENDGRID_WEBHOOK_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  POSTMARK_WEBHOOK_USER?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'POSTMARK_WEBHOOK_PASSWORD must be at least 16 characters' })
  POSTMARK_WEBHOOK_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'MAILGUN_WEBHOOK_SIGNING_KEY must be at least 16 characters' })
  MAILGUN_WEBHOOK_SIGNING_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'SUPPORT_BOOTSTRAP_TOKEN must be at least 16 characters' })
  SUPPORT_BOOTSTRAP_TOKEN?: string;

  /** R-A1: the bootstrap admin's region (API.md: EEA); set NA once to mint a deployment's first NA admin. */
  @IsIn(['NA', 'EEA'], { message: 'SUPPORT_BOOTSTRAP_REGION must be NA or EEA' })
  SUPPORT_BOOTSTRAP_REGION = 'EEA';

  /** R-A1, R-X2: seconds after start during which the bootstrap token is accepted (production: at most 86400). */
  @IsInt()
  @Min(1)
  SUPPORT_BOOTSTRAP_TTL_SECONDS = 86400;

  @IsInt()
  @Min(100)
  PURGE_SWEEP_INTERVAL_MS = 60000;

  /**
   * R-A3: audit-chain HMAC keys, `kid:secret[,kid:secret…]`; the first one hashes new entries and signs anchors, the
   * others only verify (rotation: keep a retired key while entries or anchors made with it exist).
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{1,8}:\S{32,}(,[A-Za-z0-9]{1,8}:\S{32,})*$/, {
    message: 'AUDIT_CHAIN_KEYS must be kid:secret pairs (secret ≥ 32 characters), comma-separated',
  })
  AUDIT_CHAIN_KEYS?: string;

  /** R-A3: how often support signs the audit chain's head into `audit_anchors` and the log; at least hourly. */
  @IsInt()
  @Min(100)
  @Max(3600000, { message: 'AUDIT_ANCHOR_INTERVAL_MS must be at most 3600000 (the head is anchored at least hourly)' })
  AUDIT_ANCHOR_INTERVAL_MS = 3600000;

  /** Rows the purge deletes per transaction in a table with a tenant index (progress and resumability grain). */
  @IsInt()
  @Min(1)
  PURGE_BATCH_SIZE = 20000;

  /**
   * R-C3: the age under which a data subject's birth date is refused (contacts API, imports) and never sent to (the
   * send gate), per regime. Defaults: COPPA's 13 (NA) and GDPR Art. 8's strictest 16 (EEA); no regime goes below 13.
   */
  @IsInt()
  @Min(13)
  @Max(21)
  MINIMUM_AGE_NA = 13;

  @IsInt()
  @Min(13)
  @Max(21)
  MINIMUM_AGE_EEA = 16;

  /** Public API requests per second and tenant before 429 (R-X2). */
  @IsInt()
  @Min(1)
  TENANT_RATE_LIMIT_PER_SECOND = 100;

  /** Campaign messages per second and tenant, across every worker (R-S5); shared through Redis. */
  @IsInt()
  @Min(1)
  TENANT_SEND_RATE_PER_SECOND = 2000;

  /**
   * HTTP listener timeouts (R-X6), so no client holds a socket, a file or a request slot by going quiet. Headers
   * must arrive within HTTP_HEADERS_TIMEOUT_MS; the whole request, body included, within HTTP_REQUEST_TIMEOUT_MS
   * (900 s: a 250 MB import at 2.3 Mbit/s); an idle keep-alive connection closes after HTTP_KEEP_ALIVE_TIMEOUT_MS
   * (above the usual 60 s of load balancers, so they close first); a socket silent both ways for
   * HTTP_IDLE_TIMEOUT_MS is closed (above the longest answer computed in one go, a full suppression import).
   */
  @IsInt()
  @Min(1000)
  HTTP_HEADERS_TIMEOUT_MS = 30000;

  @IsInt()
  @Min(1000)
  HTTP_REQUEST_TIMEOUT_MS = 900000;

  @IsInt()
  @Min(1000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 72000;

  @IsInt()
  @Min(1000)
  HTTP_IDLE_TIMEOUT_MS = 120000;

  /**
   * PostgreSQL timeouts of every application connection (R-X6): a statement running longer, or a transaction left
   * idle longer, is ended by the server and its connection returns to the pool. Migrations connect as the owner
   * and are not bound by them.
   */
  @IsInt()
  @Min(1000)
  DB_STATEMENT_TIMEOUT_MS = 60000;

  @IsInt()
  @Min(1000)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30000;

  /**
   * Recipient routes (`/t/o`, `/t/c`, `/u`; R-X6), counted in one-minute windows shared by every replica through the
   * region's Redis. Over a limit a request still gets its usual GIF, redirect or page and records nothing. Generous
   * per IP because mail providers' image proxies (Gmail, Apple Mail Privacy Protection) fetch for many recipients
   * from few addresses; 0 turns a limit off.
   */
  @IsInt()
  @Min(0)
  RECIPIENT_RATE_PER_IP_PER_MINUTE = 1200;

  @IsInt()
  @Min(0)
  RECIPIENT_RATE_PER_TOKEN_PER_MINUTE = 30;

  /**
   * Replays of one open or click within this many seconds count once (R-X6: a minute); 0 counts every one. The
   * per-token count shares this window (a minute when it is 0).
   */
  @IsInt()
  @Min(0)
  @Max(3600)
  RECIPIENT_REPLAY_WINDOW_SECONDS = 60;

  /**
   * Proxies whose `X-Forwarded-For` is believed (R-X6): comma-separated IP addresses or CIDR ranges, such as the
   * ingress controller's pods. Unset, the client is the direct peer and the header is ignored.
   */
  @IsOptional()
  @IsString()
  TRUSTED_PROXIES?: string;

  /** Bytes of import files a tenant may have on disk at once, spooled or waiting to run (R-X6); 2 GiB. */
  @IsInt()
  @Min(1)
  TENANT_IMPORT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;

  /** DKIM signing of campaign messages (R-S5), optional: domain, selector and key are set together or not at all. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, { message: 'DKIM_DOMAIN must be a domain name' })
  DKIM_DOMAIN?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,63}$/, { message: 'DKIM_SELECTOR must be a DNS label' })
  DKIM_SELECTOR?: string;

  /** PEM private key; `\n` escapes are read as line breaks. Or DKIM_PRIVATE_KEY_FILE, a path to the PEM file. */
  @IsOptional()
  @Matches(/-----BEGIN (RSA |EC )?PRIVATE KEY-----/, { message: 'DKIM_PRIVATE_KEY must be a PEM private key' })
  DKIM_PRIVATE_KEY?: string;

  @IsOptional()
  @IsString()
  DKIM_PRIVATE_KEY_FILE?: string;

  /** Regions this instance serves; a regional deployment sets one. */
  @Matches(/^(NA|EEA)(,(NA|EEA))*$/, { message: 'REGIONS must be NA, EEA or NA,EEA' })
  REGIONS = 'NA,EEA';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Link-token HMAC keys, `kid:secret[,kid:secret…]`, the first one signs (R-K1). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{1,8}:\S{32,}(,[A-Za-z0-9]{1,8}:\S{32,})*$/, {
    message: 'LINK_TOKEN_KEYS must be kid:secret pairs (secret ≥ 32 characters), comma-separated',
  })
  LINK_TOKEN_KEYS?: string;

  /**
   * Master key (base64 of 32 bytes) that wraps every tenant's data key (R-P2 crypto-shredding). Development has a
   * fixed default; production must set it.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'TENANT_KEY_MASTER must be the base64 of 32 bytes' })
  TENANT_KEY_MASTER?: string;

  /** Folder for import files and spools, one sub-folder per tenant so the purge can delete it (R-P2). */
  @IsString()
  DATA_DIR = '.cache/data';

  /**
   * Folder of the tracking spool (hits kept while the broker is away), apart from the tenants' import folders;
   * default `<DATA_DIR>/spool`. Give it a volume of its own to keep imports from ever filling the spool's disk.
   */
  @IsOptional()
  @IsString()
  SPOOL_DIR?: string;

  @IsOptional()
  @IsString()
  INSTANCE_ID?: string;

  /** Extra namespace for BullMQ queues (tests isolate their queues with one); empty in normal use. */
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'QUEUE_NAMESPACE must be 1-40 lower-case letters, digits or dashes' })
  QUEUE_NAMESPACE?: string;
}

/** Variables holding whole numbers; converted from strings before validation. */
export const NUMERIC_ENV_KEYS = [
  'PORT',
  'SUPPORT_PORT',
  'DEV_MAIL_PORT',
  'INBOUND_SMTP_PORT',
  'SINGLE_NODE_WORKERS',
  'WORKER_SLOT',
  'SMTP_MAX_CONNECTIONS',
  'PURGE_SWEEP_INTERVAL_MS',
  'SUPPORT_BOOTSTRAP_TTL_SECONDS',
  'AUDIT_ANCHOR_INTERVAL_MS',
  'PURGE_BATCH_SIZE',
  'MINIMUM_AGE_NA',
  'MINIMUM_AGE_EEA',
  'TENANT_RATE_LIMIT_PER_SECOND',
  'TENANT_SEND_RATE_PER_SECOND',
  'HTTP_HEADERS_TIMEOUT_MS',
  'HTTP_REQUEST_TIMEOUT_MS',
  'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  'HTTP_IDLE_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
  'TENANT_IMPORT_QUOTA_BYTES',
  'RECIPIENT_RATE_PER_IP_PER_MINUTE',
  'RECIPIENT_RATE_PER_TOKEN_PER_MINUTE',
  'RECIPIENT_REPLAY_WINDOW_SECONDS',
] as const;
