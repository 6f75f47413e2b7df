import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('gives the API.md defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ port: 3000, supportPort: 3100, publicBaseUrl: 'http://127.0.0.1:3000' });
    expect(config.kafka.brokers).toEqual({ NA: ['127.0.0.1:9092'], EEA: ['127.0.0.1:9092'] });
    expect(config.redis).toEqual({ NA: 'redis://127.0.0.1:6379', EEA: 'redis://127.0.0.1:6379' });
    expect(config.smtp).toEqual({ url: null, maxConnections: 40, devSinkPort: 2525, inboundPort: 2526, dkim: null });
    expect(config.limits.tenantSendRatePerSecond).toBe(2000);
    expect(config.purge.sweepIntervalMs).toBe(60000);
    expect(config.regions).toEqual(['NA', 'EEA']);
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
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        PUBLIC_BASE_URL: 'https://links.example.com',
        LINK_TOKEN_KEYS: 'k1:0123456789abcdef0123456789abcdef',
        SMTP_URL: 'smtp://relay:587',
        TENANT_KEY_MASTER: Buffer.alloc(32, 7).toString('base64'),
      }),
    ).not.toThrow();
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
});
