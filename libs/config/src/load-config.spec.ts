import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultSingleNodeWorkers, loadConfig } from './load-config';

const PRODUCTION = {
  NODE_ENV: 'production',
  PUBLIC_BASE_URL: 'https://links.example.com',
  LINK_TOKEN_KEYS: 'k1:0123456789abcdef0123456789abcdef',
  AUDIT_CHAIN_KEYS: 'a1:fedcba9876543210fedcba9876543210',
  SMTP_URL: 'smtp://relay:587',
  TENANT_KEY_MASTER: Buffer.alloc(32, 7).toString('base64'),
  DATABASE_URL_GLOBAL: 'postgres://missive_app:global-secret@db-global:5432/missive_global',
  DATABASE_URL_NA: 'postgres://missive_app:na-secret@db-na:5432/missive_na',
  DATABASE_URL_EEA: 'postgres://missive_app:eea-secret@db-eea:5432/missive_eea',
};
const KAFKA_SECURE = {
  KAFKA_SSL: 'true',
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'missive',
  KAFKA_SASL_PASSWORD: 'secret',
};

describe('loadConfig', () => {
  it('gives the API.md defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({
      port: 3000,
      supportPort: 3100,
      publicBaseUrl: 'http://127.0.0.1:3000',
      trustedProxies: [],
    });
    expect(config.kafka.brokers).toEqual({ NA: ['127.0.0.1:9092'], EEA: ['127.0.0.1:9092'] });
    expect(config.redis).toEqual({ NA: 'redis://127.0.0.1:6379', EEA: 'redis://127.0.0.1:6379' });
    expect(config.smtp).toEqual({
      url: null,
      urls: { NA: null, EEA: null },
      maxConnections: 40,
      devSinkPort: 2525,
      inboundPort: 2526,
      bounceDomain: '127.0.0.1',
      dkim: null,
    });
    expect(config.limits.tenantSendRatePerSecond).toBe(2000);
    expect(config.purge.sweepIntervalMs).toBe(60000);
    expect(config.regions).toEqual(['NA', 'EEA']);
  });

  it('R-C3: minimum ages per region default to 13 (NA) and 16 (EEA), can be set, and are checked', () => {
    expect(loadConfig({}).minimumAges).toEqual({ NA: 13, EEA: 16 });
    expect(loadConfig({ MINIMUM_AGE_EEA: '14' }).minimumAges).toEqual({ NA: 13, EEA: 14 });
    expect(() => loadConfig({ MINIMUM_AGE_NA: '12' })).toThrow(/MINIMUM_AGE_NA/);
    expect(() => loadConfig({ MINIMUM_AGE_EEA: 'sixteen' })).toThrow(/MINIMUM_AGE_EEA/);
  });

  it('R-T2: per-region brokers and Redis default to the shared ones and can be set apart', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'k:1',
      KAFKA_BROKERS_EEA: 'e1:9092,e2:9092',
      REDIS_URL_NA: 'redis://na:6379',
    });
    expect(config.kafka.brokers).toEqual({ NA: ['k:1'], EEA: ['e1:9092', 'e2:9092'] });
    expect(config.redis.NA).toBe('redis://na:6379');
    expect(config.redis.EEA).toBe('redis://127.0.0.1:6379');
  });

  it('R-T2: per-region relays default to SMTP_URL; production needs one for every served region', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://shared:25', SMTP_URL_EEA: 'smtp://eu:25' }).smtp.urls).toEqual({
      NA: 'smtp://shared:25',
      EEA: 'smtp://eu:25',
    });
    const secure = { ...PRODUCTION, ...KAFKA_SECURE, SMTP_URL: undefined } as Record<string, string | undefined>;
    delete secure.SMTP_URL;
    expect(() => loadConfig({ ...secure, SMTP_URL_NA: 'smtp://na:25' } as Record<string, string>)).toThrow(
      /SMTP_URL_EEA or SMTP_URL must be set when NODE_ENV=production/,
    );
    expect(() =>
      loadConfig({ ...secure, REGIONS: 'NA', SMTP_URL_NA: 'smtp://na:25' } as Record<string, string>),
    ).not.toThrow();
    expect(() => loadConfig({ SMTP_URL_NA: 'relay.example.com' })).toThrow(/SMTP_URL_NA must be an smtp/);
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number \(got "abc"\)/],
    ['PORT', '70000', /PORT must not be greater than 65535/],
    ['DATABASE_URL_NA', 'not a url', /DATABASE_URL_NA must be a postgres/],
    ['REDIS_URL', 'http://x', /REDIS_URL must be a redis/],
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS must be a comma-separated list/],
    ['SMTP_URL', 'mail.example.com', /SMTP_URL must be an smtp/],
    ['REGIONS', 'MARS', /REGIONS must be NA, EEA or NA,EEA/],
  ])('names the variable when %s=%s is malformed', (key, value, message) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(message);
  });

  it('R-X2: production requires an https PUBLIC_BASE_URL, link-token keys and a relay', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_BASE_URL must be https/);
    expect(() => loadConfig({ ...PRODUCTION, ...KAFKA_SECURE })).not.toThrow();
  });

  it('R-X2: production refuses each development value, even set explicitly, with one problem naming its variable', () => {
    const secure = { ...PRODUCTION, ...KAFKA_SECURE };
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message.replace(/^Invalid environment: /, '').split('; ');
      }
      return [];
    };
    const devLinkKey = 'missive-development-link-token-key-not-for-production';
    const devMaster = Buffer.from('missive-dev-tenant-key-master-32').toString('base64');
    expect(
      problemsOf({ ...secure, LINK_TOKEN_KEYS: `k2:0123456789abcdef0123456789abcdef,dev1:${devLinkKey}` }),
    ).toEqual(['LINK_TOKEN_KEYS must not contain the development key when NODE_ENV=production (R-X2)']);
    expect(problemsOf({ ...secure, TENANT_KEY_MASTER: devMaster })).toEqual([
      'TENANT_KEY_MASTER must not be the development master key when NODE_ENV=production (R-X2)',
    ]);
    expect(
      problemsOf({ ...secure, DATABASE_URL_NA: 'postgres://missive_app:missive_app@db-na:5432/missive_na' }),
    ).toEqual(['DATABASE_URL_NA must not use the development password of missive_app when NODE_ENV=production (R-X2)']);
    const withDefaults: Record<string, string> = { ...secure };
    delete withDefaults.DATABASE_URL_GLOBAL;
    delete withDefaults.DATABASE_URL_EEA;
    expect(problemsOf(withDefaults)).toEqual([
      'DATABASE_URL_GLOBAL must not use the development password of missive_app when NODE_ENV=production (R-X2)',
      'DATABASE_URL_EEA must not use the development password of missive_app when NODE_ENV=production (R-X2)',
    ]);
    // A region this instance does not serve is never connected to (R-T2): its default URL does not matter.
    expect(problemsOf({ ...withDefaults, DATABASE_URL_GLOBAL: PRODUCTION.DATABASE_URL_GLOBAL, REGIONS: 'NA' })).toEqual(
      [],
    );
    expect(problemsOf({ ...secure, SUPPORT_BOOTSTRAP_TOKEN: 'a'.repeat(31) })).toEqual([
      'SUPPORT_BOOTSTRAP_TOKEN must be at least 32 random characters when NODE_ENV=production (R-X2)',
    ]);
    expect(problemsOf({ ...secure, SUPPORT_BOOTSTRAP_TOKEN: 'Zx8'.repeat(11) })).toEqual([]);
    const devAuditKey = 'missive-development-audit-chain-key-not-for-production';
    expect(
      problemsOf({ ...secure, AUDIT_CHAIN_KEYS: `a2:fedcba9876543210fedcba9876543210,dev1:${devAuditKey}` }),
    ).toEqual(['AUDIT_CHAIN_KEYS must not contain the development key when NODE_ENV=production (R-X2, R-A3)']);
    const withoutAuditKeys: Record<string, string> = { ...secure };
    delete withoutAuditKeys.AUDIT_CHAIN_KEYS;
    expect(problemsOf(withoutAuditKeys)).toEqual(['AUDIT_CHAIN_KEYS must be set when NODE_ENV=production']);
    // Development keeps its defaults and the 16-character floor.
    expect(loadConfig({ SUPPORT_BOOTSTRAP_TOKEN: 'a'.repeat(16), TENANT_KEY_MASTER: devMaster }).support).toEqual({
      bootstrapToken: 'a'.repeat(16),
      bootstrapRegion: 'EEA',
      bootstrapTtlSeconds: 86400,
      retireBootstrapOnAdmin: false,
    });
    // R-A1: the bootstrap token is a first key: open for at most a day after a start in production, and retired
    // there once a real admin exists.
    expect(
      problemsOf({ ...secure, SUPPORT_BOOTSTRAP_TOKEN: 'Zx8'.repeat(11), SUPPORT_BOOTSTRAP_TTL_SECONDS: '86401' }),
    ).toEqual([
      'SUPPORT_BOOTSTRAP_TTL_SECONDS must be at most 86400 when NODE_ENV=production (R-X2): the bootstrap token is a first key, not a standing one',
    ]);
    expect(problemsOf({ ...secure, SUPPORT_BOOTSTRAP_TTL_SECONDS: '604800' })).toEqual([]);
    expect(loadConfig({ ...secure, SUPPORT_BOOTSTRAP_TOKEN: 'Zx8'.repeat(11) }).support.retireBootstrapOnAdmin).toBe(
      true,
    );
  });

  it('R-X2: production refuses Kafka without TLS and SASL in any served region, naming the variable', () => {
    expect(() => loadConfig(PRODUCTION)).toThrow(ConfigError);
    expect(() => loadConfig(PRODUCTION)).toThrow(/KAFKA_SSL must be true when NODE_ENV=production/);
    expect(() => loadConfig(PRODUCTION)).toThrow(
      /KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD must be set when NODE_ENV=production/,
    );
    expect(() => loadConfig({ ...PRODUCTION, ...KAFKA_SECURE, KAFKA_SSL_EEA: 'false' })).toThrow(
      /KAFKA_SSL_EEA must be true when NODE_ENV=production/,
    );
    // A region this instance does not serve is not connected to, so its settings do not matter.
    expect(() => loadConfig({ ...PRODUCTION, ...KAFKA_SECURE, KAFKA_SSL_EEA: 'false', REGIONS: 'NA' })).not.toThrow();
    // The problem is said once even when both regions inherit it.
    const message = (() => {
      try {
        loadConfig({ ...PRODUCTION, ...KAFKA_SECURE, KAFKA_SSL: 'false' });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toBe('Invalid environment: KAFKA_SSL must be true when NODE_ENV=production (R-X2)');
  });

  it('R-T2: Kafka TLS and SASL default to the shared settings per region and can be set apart', () => {
    expect(loadConfig({}).kafka.security).toEqual({ NA: { tls: null, sasl: null }, EEA: { tls: null, sasl: null } });
    const ca = join(mkdtempSync(join(tmpdir(), 'missive-config-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = loadConfig({
      ...KAFKA_SECURE,
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM_EEA: 'scram-sha-256',
      KAFKA_SASL_USERNAME_EEA: 'missive-eea',
      KAFKA_SASL_PASSWORD_EEA: 'other',
    });
    expect(config.kafka.security.NA).toEqual({
      tls: { ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      sasl: { mechanism: 'scram-sha-512', username: 'missive', password: 'secret' },
    });
    expect(config.kafka.security.EEA.sasl).toEqual({
      mechanism: 'scram-sha-256',
      username: 'missive-eea',
      password: 'other',
    });
    expect(loadConfig({ KAFKA_SSL_NA: 'true' }).kafka.security).toEqual({
      NA: { tls: { ca: null }, sasl: null },
      EEA: { tls: null, sasl: null },
    });
  });

  it.each([
    [{ KAFKA_SSL: 'yes' }, /KAFKA_SSL must be true or false/],
    [{ KAFKA_SSL_EEA: '1' }, /KAFKA_SSL_EEA must be true or false/],
    [{ ...KAFKA_SECURE, KAFKA_SASL_MECHANISM_NA: 'plain' }, /KAFKA_SASL_MECHANISM_NA must be scram-sha-256 or/],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nope/ca.pem' }, /KAFKA_SSL_CA_FILE cannot be read \(\/nope\/ca.pem\)/],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE_NA: join(__dirname, 'index.ts') },
      /KAFKA_SSL_CA_FILE_NA must hold a PEM certificate/,
    ],
    [{ KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_MECHANISM, KAFKA_SASL_PASSWORD must be set too/],
  ])('R-X2: names the malformed Kafka security variable in %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('R-S5: DKIM needs domain, selector and key together; the key may come escaped or from a file', () => {
    const key = '-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----';
    expect(loadConfig({ DKIM_DOMAIN: 'shop.example', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY: key }).smtp.dkim).toEqual({
      domainName: 'shop.example',
      keySelector: 's1',
      privateKey: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
    });
    expect(() => loadConfig({ DKIM_DOMAIN: 'shop.example' })).toThrow(/must be set together/);
    expect(() =>
      loadConfig({ DKIM_DOMAIN: 'shop.example', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: '/nope' }),
    ).toThrow(/DKIM_PRIVATE_KEY_FILE cannot be read/);
    expect(() => loadConfig({ TENANT_SEND_RATE_PER_SECOND: '0' })).toThrow(/TENANT_SEND_RATE_PER_SECOND/);
  });

  it('R-X6: HTTP and PostgreSQL timeouts, the import quota and the spool folder have defaults and can be set', () => {
    const defaults = loadConfig({});
    expect(defaults.timeouts).toEqual({
      httpHeadersMs: 30000,
      httpRequestMs: 900000,
      httpKeepAliveMs: 72000,
      httpIdleMs: 120000,
      dbStatementMs: 60000,
      dbIdleInTransactionMs: 30000,
    });
    expect(defaults.limits.tenantImportQuotaBytes).toBe(2 * 1024 ** 3);
    expect(defaults.spoolDir).toBe(`${defaults.dataDir}/spool`);

    const set = loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '4000',
      DB_STATEMENT_TIMEOUT_MS: '5000',
      TENANT_IMPORT_QUOTA_BYTES: '1048576',
      SPOOL_DIR: '/var/spool/missive',
    });
    expect(set.timeouts).toMatchObject({ httpHeadersMs: 2000, httpRequestMs: 4000, dbStatementMs: 5000 });
    expect(set.limits.tenantImportQuotaBytes).toBe(1048576);
    expect(set.spoolDir).toBe('/var/spool/missive');
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    );
    expect(() => loadConfig({ DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: 'soon' })).toThrow(
      /DB_IDLE_IN_TRANSACTION_TIMEOUT_MS must be a whole number/,
    );
    expect(() => loadConfig({ HTTP_IDLE_TIMEOUT_MS: '10' })).toThrow(/HTTP_IDLE_TIMEOUT_MS/);
  });

  it('R-X6: TRUSTED_PROXIES takes addresses and CIDR ranges, none by default, and names a bad entry', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,2001:db8::/32,::1' }).http.trustedProxies).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      '2001:db8::/32',
      '::1',
    ]);
    expect(loadConfig({ TRUSTED_PROXIES: '' }).http.trustedProxies).toEqual([]);
    for (const bad of ['ingress', '10.0.0.0/33', '2001:db8::/129', '10.0.0.1/8/8', '10.0.0.0/x', '300.1.1.1'])
      expect(() => loadConfig({ TRUSTED_PROXIES: `127.0.0.1,${bad}` })).toThrow(
        `TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges (got "${bad}")`,
      );
  });

  it('R-X6: recipient-route limits default to 1,200 a minute per IP, 30 per token and a 60 s replay window', () => {
    expect(loadConfig({}).limits).toMatchObject({
      recipientRatePerIpPerMinute: 1200,
      recipientRatePerTokenPerMinute: 30,
      recipientReplayWindowSeconds: 60,
    });
    expect(
      loadConfig({ RECIPIENT_RATE_PER_IP_PER_MINUTE: '0', RECIPIENT_REPLAY_WINDOW_SECONDS: '5' }).limits,
    ).toMatchObject({ recipientRatePerIpPerMinute: 0, recipientReplayWindowSeconds: 5 });
    expect(() => loadConfig({ RECIPIENT_RATE_PER_TOKEN_PER_MINUTE: 'many' })).toThrow(
      /RECIPIENT_RATE_PER_TOKEN_PER_MINUTE must be a whole number/,
    );
    expect(() => loadConfig({ RECIPIENT_REPLAY_WINDOW_SECONDS: '7200' })).toThrow(/RECIPIENT_REPLAY_WINDOW_SECONDS/);
  });

  it('R-A3: audit-chain keys: the development key by default, kid:secret pairs (first signs), anchored at least hourly', () => {
    expect(loadConfig({}).audit).toEqual({
      chainKeys: [{ kid: 'dev1', secret: 'missive-development-audit-chain-key-not-for-production' }],
      anchorIntervalMs: 3600000,
    });
    const keys = 'a2:fedcba9876543210fedcba9876543210,a1:0123456789abcdef0123456789abcdef';
    expect(loadConfig({ AUDIT_CHAIN_KEYS: keys, AUDIT_ANCHOR_INTERVAL_MS: '500' }).audit).toEqual({
      chainKeys: [
        { kid: 'a2', secret: 'fedcba9876543210fedcba9876543210' },
        { kid: 'a1', secret: '0123456789abcdef0123456789abcdef' },
      ],
      anchorIntervalMs: 500,
    });
    expect(() => loadConfig({ AUDIT_CHAIN_KEYS: 'a1:short' })).toThrow(/AUDIT_CHAIN_KEYS must be kid:secret pairs/);
    expect(() => loadConfig({ AUDIT_ANCHOR_INTERVAL_MS: '7200000' })).toThrow(/at least hourly/);
  });
});

describe('SINGLE_NODE_WORKERS', () => {
  it('issue 25: one worker per two cores by default, 1 to 4; set, it is taken as given', () => {
    expect([1, 2, 3, 4, 8, 16, 64].map(defaultSingleNodeWorkers)).toEqual([1, 1, 1, 2, 4, 4, 4]);
    expect(loadConfig({ SINGLE_NODE_WORKERS: '3' }).singleNodeWorkers).toBe(3);
    expect(() => loadConfig({ SINGLE_NODE_WORKERS: '0' })).toThrow(/SINGLE_NODE_WORKERS/);
    expect(loadConfig({ WORKER_SLOT: '1' }).workerSlot).toBe(1);
    expect(loadConfig({}).workerSlot).toBeNull();
  });
});
