import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { REGIONS, type Region } from '@missive/contracts';
import { EnvSchema, NUMERIC_ENV_KEYS } from './env.schema';
import type { KafkaSecurity, MissiveConfig } from './missive-config';

/** A configuration problem, said in one line that names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Development-only master key for tenant data keys; production must set TENANT_KEY_MASTER (checked below). */
const DEV_TENANT_KEY_MASTER = Buffer.from('missive-dev-tenant-key-master-32').toString('base64');

/** A fixed key for development only; production must set LINK_TOKEN_KEYS (checked below). */
const DEV_LINK_TOKEN_KEY = { kid: 'dev1', secret: 'missive-development-link-token-key-not-for-production' };

/** A fixed audit-chain key for development only; production must set AUDIT_CHAIN_KEYS (checked below). */
const DEV_AUDIT_CHAIN_KEY = { kid: 'dev1', secret: 'missive-development-audit-chain-key-not-for-production' };

/** `kid:secret,…` as a list of keys (the format is checked by the schema). */
function keyPairs(list: string): { kid: string; secret: string }[] {
  return list.split(',').map((pair) => {
    const colon = pair.indexOf(':');
    return { kid: pair.slice(0, colon), secret: pair.slice(colon + 1) };
  });
}

/** The provider webhooks' settings (R-S8); SES_TRUSTED_CERTS is PEM text or a PEM file's path, read here once. */
function providerHooks(schema: EnvSchema, problems: string[]): MissiveConfig['providerHooks'] {
  let trustedCerts: string[] | null = null;
  const certs = schema.SES_TRUSTED_CERTS;
  if (certs) {
    let pem = certs.replace(/\\n/g, '\n');
    if (!pem.includes('-----BEGIN')) {
      try {
        pem = readFileSync(certs, 'utf8');
      } catch {
        problems.push(`SES_TRUSTED_CERTS cannot be read (${certs})`);
      }
    }
    trustedCerts = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (!trustedCerts) problems.push('SES_TRUSTED_CERTS must hold PEM certificates');
  }
  if (trustedCerts && !schema.SES_TOPIC_ARNS) problems.push('SES_TRUSTED_CERTS needs SES_TOPIC_ARNS');
  if (Boolean(schema.POSTMARK_WEBHOOK_USER) !== Boolean(schema.POSTMARK_WEBHOOK_PASSWORD))
    problems.push('POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD must be set together');
  return {
    ses: schema.SES_TOPIC_ARNS ? { topicArns: schema.SES_TOPIC_ARNS.split(','), trustedCerts } : null,
    sendgridPublicKey: schema.SENDGRID_WEBHOOK_PUBLIC_KEY ?? null,
    postmark:
      schema.POSTMARK_WEBHOOK_USER && schema.POSTMARK_WEBHOOK_PASSWORD
        ? { user: schema.POSTMARK_WEBHOOK_USER, password: schema.POSTMARK_WEBHOOK_PASSWORD }
        : null,
    mailgunSigningKey: schema.MAILGUN_WEBHOOK_SIGNING_KEY ?? null,
  };
}

/**
 * TRUSTED_PROXIES as Fastify's `trustProxy` takes it: each entry an IP address or a CIDR range (prefix within the
 * address's length); anything else is named as a problem.
 */
function trustedProxies(list: string | undefined, problems: string[]): string[] {
  const entries = (list ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const version = isIP(address);
    const bits = version === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (version === 0 || !prefixOk || rest.length > 0)
      problems.push(`TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges (got "${entry}")`);
  }
  return entries;
}

function brokers(list: string): string[] {
  return list.split(',').map((b) => b.trim());
}

/** DKIM settings (R-S5): all of domain, selector and key, or none; a key file is read here, once. */
function dkimOptions(schema: EnvSchema, problems: string[]): MissiveConfig['smtp']['dkim'] {
  let privateKey = schema.DKIM_PRIVATE_KEY?.replace(/\\n/g, '\n');
  if (schema.DKIM_PRIVATE_KEY && schema.DKIM_PRIVATE_KEY_FILE)
    problems.push('DKIM_PRIVATE_KEY and DKIM_PRIVATE_KEY_FILE are exclusive; set one');
  if (!privateKey && schema.DKIM_PRIVATE_KEY_FILE) {
    try {
      privateKey = readFileSync(schema.DKIM_PRIVATE_KEY_FILE, 'utf8');
    } catch {
      problems.push(`DKIM_PRIVATE_KEY_FILE cannot be read (${schema.DKIM_PRIVATE_KEY_FILE})`);
      return null;
    }
  }
  if (privateKey && !privateKey.includes('PRIVATE KEY-----')) {
    problems.push('DKIM_PRIVATE_KEY_FILE must hold a PEM private key');
    return null;
  }
  const set = [schema.DKIM_DOMAIN, schema.DKIM_SELECTOR, privateKey].filter(Boolean).length;
  if (set === 0) return null;
  if (set < 3) {
    problems.push('DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or _FILE) must be set together');
    return null;
  }
  return { domainName: schema.DKIM_DOMAIN!, keySelector: schema.DKIM_SELECTOR!, privateKey: privateKey! };
}

/** The password the local setup gives `missive_app` (deploy/local, docker-compose): public, so never production's. */
const DEV_DATABASE_PASSWORD = 'missive_app';

/** The bootstrap admin token's floor in production (R-X2): as strong as 32 random characters. */
const PRODUCTION_BOOTSTRAP_TOKEN_LENGTH = 32;
/** The longest the bootstrap admin token may stay open after a start in production: one day to mint real admins. */
const PRODUCTION_BOOTSTRAP_TTL_SECONDS = 86400;

/**
 * R-X2: the development values, public in this repository, that production refuses even when set explicitly: the
 * link-token key, the tenant master key, the local database password (of the databases this instance connects to)
 * and a short bootstrap admin token. One problem per variable, each naming it.
 */
function developmentValues(schema: EnvSchema, regions: Region[]): string[] {
  const problems: string[] = [];
  const linkSecrets = (schema.LINK_TOKEN_KEYS ?? '').split(',').map((pair) => pair.slice(pair.indexOf(':') + 1));
  if (linkSecrets.includes(DEV_LINK_TOKEN_KEY.secret))
    problems.push('LINK_TOKEN_KEYS must not contain the development key when NODE_ENV=production (R-X2)');
  if (keyPairs(schema.AUDIT_CHAIN_KEYS ?? ':').some((key) => key.secret === DEV_AUDIT_CHAIN_KEY.secret))
    problems.push('AUDIT_CHAIN_KEYS must not contain the development key when NODE_ENV=production (R-X2, R-A3)');
  const master = schema.TENANT_KEY_MASTER;
  if (master && Buffer.from(master, 'base64').equals(Buffer.from(DEV_TENANT_KEY_MASTER, 'base64')))
    problems.push('TENANT_KEY_MASTER must not be the development master key when NODE_ENV=production (R-X2)');
  const databases = [
    'DATABASE_URL_GLOBAL',
    ...REGIONS.filter((r) => regions.includes(r)).map((r) => `DATABASE_URL_${r}`),
  ];
  for (const name of databases) {
    const url = (schema as unknown as Record<string, string>)[name];
    let password = '';
    try {
      password = decodeURIComponent(new URL(url).password);
    } catch {
      continue; // malformed: already named by the schema
    }
    if (password === DEV_DATABASE_PASSWORD)
      problems.push(`${name} must not use the development password of missive_app when NODE_ENV=production (R-X2)`);
  }
  const bootstrap = schema.SUPPORT_BOOTSTRAP_TOKEN;
  if (bootstrap !== undefined && bootstrap.length < PRODUCTION_BOOTSTRAP_TOKEN_LENGTH)
    problems.push(
      `SUPPORT_BOOTSTRAP_TOKEN must be at least ${PRODUCTION_BOOTSTRAP_TOKEN_LENGTH} random characters when NODE_ENV=production (R-X2)`,
    );
  if (bootstrap !== undefined && schema.SUPPORT_BOOTSTRAP_TTL_SECONDS > PRODUCTION_BOOTSTRAP_TTL_SECONDS)
    problems.push(
      `SUPPORT_BOOTSTRAP_TTL_SECONDS must be at most ${PRODUCTION_BOOTSTRAP_TTL_SECONDS} when NODE_ENV=production (R-X2): the bootstrap token is a first key, not a standing one`,
    );
  return problems;
}

/** A region's Kafka variable: its `_NA`/`_EEA` form when set, else the shared one; `name` is the one in effect. */
function regionalVariable(
  schema: EnvSchema,
  name: string,
  region: Region,
): { name: string; value: string | undefined } {
  const vars = schema as unknown as Record<string, string | undefined>;
  const own = `${name}_${region}`;
  return vars[own] !== undefined ? { name: own, value: vars[own] } : { name, value: vars[name] };
}

/**
 * A region's Kafka TLS and SASL/SCRAM settings (R-X2); the CA file is read here, once. Production requires both,
 * so no served region's events travel in clear or to an unauthenticated client.
 */
function kafkaSecurity(schema: EnvSchema, region: Region, serves: boolean, problems: string[]): KafkaSecurity {
  const ssl = regionalVariable(schema, 'KAFKA_SSL', region);
  const caFile = regionalVariable(schema, 'KAFKA_SSL_CA_FILE', region);
  const sasl = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].map((name) =>
    regionalVariable(schema, name, region),
  );
  const production = schema.NODE_ENV === 'production' && serves;
  let tls: KafkaSecurity['tls'] = null;
  if (ssl.value === 'true') {
    let ca: string | null = null;
    if (caFile.value) {
      try {
        ca = readFileSync(caFile.value, 'utf8');
      } catch {
        problems.push(`${caFile.name} cannot be read (${caFile.value})`);
      }
      if (ca !== null && !ca.includes('-----BEGIN CERTIFICATE-----')) {
        problems.push(`${caFile.name} must hold a PEM certificate`);
        ca = null;
      }
    }
    tls = { ca };
  } else if (production) {
    problems.push(`${ssl.name} must be true when NODE_ENV=production (R-X2)`);
  }
  const missing = sasl.filter((v) => !v.value).map((v) => v.name);
  if (missing.length > 0 && missing.length < sasl.length)
    problems.push(`${missing.join(', ')} must be set too: SASL needs a mechanism, a username and a password`);
  else if (missing.length > 0 && production)
    problems.push(`${missing.join(', ')} must be set when NODE_ENV=production (R-X2)`);
  const [mechanism, username, password] = sasl.map((v) => v.value);
  return {
    tls,
    sasl:
      missing.length === 0
        ? { mechanism: mechanism as 'scram-sha-256' | 'scram-sha-512', username: username!, password: password! }
        : null,
  };
}

/**
 * Reads and validates the environment once. Throws ConfigError with every bad variable named, e.g.
 * `PORT must be an integer from 1 to 65535 (got "abc")`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): MissiveConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const badNumbers: string[] = [];
  for (const key of NUMERIC_ENV_KEYS) {
    if (raw[key] === undefined) continue;
    const text = String(raw[key]);
    if (!/^\d+$/.test(text)) badNumbers.push(`${key} must be a whole number (got "${text}")`);
    else raw[key] = Number(text);
  }
  const schema = plainToInstance(EnvSchema, raw, { excludeExtraneousValues: false });
  const errors = validateSync(schema, { whitelist: true, forbidUnknownValues: false });
  const problems = [
    ...badNumbers,
    ...errors
      .filter((e) => !badNumbers.some((b) => b.startsWith(e.property + ' ')))
      .map((e) => Object.values(e.constraints ?? {})[0] ?? `${e.property} is invalid`),
  ];
  const production = schema.NODE_ENV === 'production';
  if (production && !schema.PUBLIC_BASE_URL.startsWith('https://')) {
    problems.push('PUBLIC_BASE_URL must be https when NODE_ENV=production (R-X2)');
  }
  if (schema.HTTP_HEADERS_TIMEOUT_MS > schema.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (headers are part of the request)');
  }
  if (production && !schema.LINK_TOKEN_KEYS) problems.push('LINK_TOKEN_KEYS must be set when NODE_ENV=production');
  if (production && !schema.TENANT_KEY_MASTER) problems.push('TENANT_KEY_MASTER must be set when NODE_ENV=production');
  if (production && !schema.AUDIT_CHAIN_KEYS) problems.push('AUDIT_CHAIN_KEYS must be set when NODE_ENV=production');
  if (production) problems.push(...developmentValues(schema, schema.REGIONS.split(',') as Region[]));
  const smtpUrls: Record<Region, string | null> = {
    NA: schema.SMTP_URL_NA ?? schema.SMTP_URL ?? null,
    EEA: schema.SMTP_URL_EEA ?? schema.SMTP_URL ?? null,
  };
  for (const region of schema.REGIONS.split(',') as Region[]) {
    if (production && REGIONS.includes(region) && !smtpUrls[region])
      problems.push(`SMTP_URL_${region} or SMTP_URL must be set when NODE_ENV=production`);
  }
  const dkim = dkimOptions(schema, problems);
  const proxies = trustedProxies(schema.TRUSTED_PROXIES, problems);
  const hooks = providerHooks(schema, problems);
  const regions = schema.REGIONS.split(',') as Region[];
  const kafkaSecurityByRegion = {
    NA: kafkaSecurity(schema, 'NA', regions.includes('NA'), problems),
    EEA: kafkaSecurity(schema, 'EEA', regions.includes('EEA'), problems),
  };
  if (problems.length > 0) throw new ConfigError(`Invalid environment: ${[...new Set(problems)].join('; ')}`);

  const regional = (na: string | undefined, eea: string | undefined, shared: string): Record<Region, string> => ({
    NA: na ?? shared,
    EEA: eea ?? shared,
  });
  const redis = regional(schema.REDIS_URL_NA, schema.REDIS_URL_EEA, schema.REDIS_URL);
  const kafka = regional(schema.KAFKA_BROKERS_NA, schema.KAFKA_BROKERS_EEA, schema.KAFKA_BROKERS);
  const linkTokenKeys = schema.LINK_TOKEN_KEYS
    ? schema.LINK_TOKEN_KEYS.split(',').map((pair) => {
        const colon = pair.indexOf(':');
        return { kid: pair.slice(0, colon), secret: pair.slice(colon + 1) };
      })
    : [DEV_LINK_TOKEN_KEY];

  return Object.freeze({
    nodeEnv: schema.NODE_ENV as MissiveConfig['nodeEnv'],
    production,
    instanceId: schema.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    logLevel: schema.LOG_LEVEL,
    regions: REGIONS.filter((r) => regions.includes(r)),
    http: {
      port: schema.PORT,
      supportPort: schema.SUPPORT_PORT,
      publicBaseUrl: schema.PUBLIC_BASE_URL.replace(/\/$/, ''),
      trustedProxies: proxies,
    },
    kafka: {
      clientId: 'missive',
      brokers: { NA: brokers(kafka.NA), EEA: brokers(kafka.EEA) },
      security: kafkaSecurityByRegion,
    },
    databases: {
      global: schema.DATABASE_URL_GLOBAL,
      regional: { NA: schema.DATABASE_URL_NA, EEA: schema.DATABASE_URL_EEA },
      adminGlobal: schema.DATABASE_ADMIN_URL_GLOBAL,
      adminRegional: { NA: schema.DATABASE_ADMIN_URL_NA, EEA: schema.DATABASE_ADMIN_URL_EEA },
    },
    redis,
    smtp: {
      url: schema.SMTP_URL ?? null,
      urls: smtpUrls,
      maxConnections: schema.SMTP_MAX_CONNECTIONS,
      devSinkPort: schema.DEV_MAIL_PORT,
      inboundPort: schema.INBOUND_SMTP_PORT,
      bounceDomain: schema.BOUNCE_DOMAIN ?? new URL(schema.PUBLIC_BASE_URL).hostname,
      dkim,
    },
    sendingDomains: {
      spfInclude: schema.SPF_INCLUDE ?? schema.BOUNCE_DOMAIN ?? new URL(schema.PUBLIC_BASE_URL).hostname,
      dnsServers: schema.DNS_RESOLVER ? schema.DNS_RESOLVER.split(',') : null,
    },
    support: {
      bootstrapToken: schema.SUPPORT_BOOTSTRAP_TOKEN ?? null,
      bootstrapRegion: schema.SUPPORT_BOOTSTRAP_REGION as Region,
      bootstrapTtlSeconds: schema.SUPPORT_BOOTSTRAP_TTL_SECONDS,
      retireBootstrapOnAdmin: production,
    },
    purge: { sweepIntervalMs: schema.PURGE_SWEEP_INTERVAL_MS, batchSize: schema.PURGE_BATCH_SIZE },
    providerHooks: hooks,
    audit: {
      chainKeys: schema.AUDIT_CHAIN_KEYS ? keyPairs(schema.AUDIT_CHAIN_KEYS) : [DEV_AUDIT_CHAIN_KEY],
      anchorIntervalMs: schema.AUDIT_ANCHOR_INTERVAL_MS,
    },
    minimumAges: { NA: schema.MINIMUM_AGE_NA, EEA: schema.MINIMUM_AGE_EEA },
    limits: {
      tenantRatePerSecond: schema.TENANT_RATE_LIMIT_PER_SECOND,
      tenantSendRatePerSecond: schema.TENANT_SEND_RATE_PER_SECOND,
      tenantImportQuotaBytes: schema.TENANT_IMPORT_QUOTA_BYTES,
      recipientRatePerIpPerMinute: schema.RECIPIENT_RATE_PER_IP_PER_MINUTE,
      recipientRatePerTokenPerMinute: schema.RECIPIENT_RATE_PER_TOKEN_PER_MINUTE,
      recipientReplayWindowSeconds: schema.RECIPIENT_REPLAY_WINDOW_SECONDS,
    },
    timeouts: {
      httpHeadersMs: schema.HTTP_HEADERS_TIMEOUT_MS,
      httpRequestMs: schema.HTTP_REQUEST_TIMEOUT_MS,
      httpKeepAliveMs: schema.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      httpIdleMs: schema.HTTP_IDLE_TIMEOUT_MS,
      dbStatementMs: schema.DB_STATEMENT_TIMEOUT_MS,
      dbIdleInTransactionMs: schema.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    linkTokenKeys,
    singleNodeWorkers: schema.SINGLE_NODE_WORKERS ?? defaultSingleNodeWorkers(availableParallelism()),
    workerSlot: schema.WORKER_SLOT ?? null,
    services: schema.SERVICES ?? null,
    dataDir: resolve(schema.DATA_DIR),
    spoolDir: resolve(schema.SPOOL_DIR ?? join(schema.DATA_DIR, 'spool')),
    queueNamespace: schema.QUEUE_NAMESPACE ?? null,
    tenantKeyMaster: Buffer.from(schema.TENANT_KEY_MASTER ?? DEV_TENANT_KEY_MASTER, 'base64'),
  });
}

/** For tests and tools: the defaults with some variables overridden. */
export function configWith(overrides: Record<string, string>, env: NodeJS.ProcessEnv = process.env): MissiveConfig {
  return loadConfig({ ...env, ...overrides });
}

/**
 * The single-node host's workers when SINGLE_NODE_WORKERS is unset: one per two cores, at most 4. The host shares its
 * machine with the broker, PostgreSQL and Redis it starts, and on 2 cores two workers measured slower than one
 * (docs/benchmarks.md, single-node): each worker's producers send half-full batches and every consumer fetches twice.
 */
export function defaultSingleNodeWorkers(cores: number): number {
  return Math.max(1, Math.min(4, Math.floor(cores / 2)));
}
