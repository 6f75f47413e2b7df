import { randomBytes } from 'node:crypto';
import {
  adminQuery,
  createTestTenant,
  http,
  JUSTIFIED,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
} from '@missive/testing';
import { supportService } from '../src/service';

const ENV = { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN };

describe('R-X1: API keys on the public API', () => {
  // Two instances of the service (two processes in production): what one revokes, the other must refuse.
  let one: TestServices;
  let two: TestServices;

  beforeAll(async () => {
    [one, two] = await Promise.all([
      startTestServices([supportService], ENV),
      startTestServices([supportService], ENV),
    ]);
  });

  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a Basic header', 'Basic dXNlcjpwYXNz'],
    ['a bearer that is not an API key', 'Bearer hello'],
    ['a well-formed key nobody issued', `Bearer mk_${randomBytes(32).toString('base64url')}`],
    ['a key with a byte too many', `Bearer mk_${randomBytes(33).toString('base64url')}`],
  ])('R-X1: %s answers 401 {error, message, details} naming the header', async (_, header) => {
    const res = await http('GET', `${one.publicUrl}/v1/notices`, {
      headers: header ? { authorization: header } : {},
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'unauthorized',
      message: expect.any(String),
      details: [{ field: 'authorization', reason: expect.any(String) }],
    });
  });

  it('R-X1: the key is shown once and only its SHA-256 is stored', async () => {
    const { apiKey, apiKeyId } = await createTestTenant(one, { region: 'NA' });
    expect(apiKey).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    const [row] = await adminQuery<{ key_hash: string }>('global', 'SELECT key_hash FROM api_keys WHERE id = $1', [
      apiKeyId,
    ]);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = await adminQuery('global', `SELECT * FROM api_keys WHERE id = $1`, [apiKeyId]);
    expect(JSON.stringify(everything)).not.toContain(apiKey.slice(3));
  });

  it('R-X1: a revoked key stops working within 1 s on every instance (revocation travels as an event)', async () => {
    const { tenant, apiKey, apiKeyId } = await createTestTenant(one, { region: 'EEA' });
    // Both instances have the key cached.
    for (const instance of [one, two]) {
      expect((await http('GET', `${instance.publicUrl}/v1/notices`, { token: apiKey })).status).toBe(200);
    }
    const revoked = await http('DELETE', `${one.supportUrl}/internal/v1/tenants/${tenant.id}/api-keys/${apiKeyId}`, {
      token: TEST_BOOTSTRAP_TOKEN,
    });
    expect(revoked.status).toBe(204);
    const start = Date.now();
    const refusedAt = await Promise.all(
      [one, two].map(async (instance) => {
        for (;;) {
          const res = await http('GET', `${instance.publicUrl}/v1/notices`, { token: apiKey });
          if (res.status === 401) return Date.now() - start;
          expect(res.status).toBe(200);
          if (Date.now() - start > 5000) return Infinity;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }),
    );
    process.stdout.write(`revoked key refused after ${refusedAt.join(' ms and ')} ms on the two instances\n`);
    for (const ms of refusedAt) expect(ms).toBeLessThan(1000);
    // Revoking again is harmless and still 204; another tenant's key id is 404.
    expect(
      (
        await http('DELETE', `${one.supportUrl}/internal/v1/tenants/${tenant.id}/api-keys/${apiKeyId}`, {
          token: TEST_BOOTSTRAP_TOKEN,
        })
      ).status,
    ).toBe(204);
    const other = await createTestTenant(one, { region: 'EEA' });
    const foreign = await http(
      'DELETE',
      `${one.supportUrl}/internal/v1/tenants/${tenant.id}/api-keys/${other.apiKeyId}`,
      {
        token: TEST_BOOTSTRAP_TOKEN,
      },
    );
    expect(foreign.status).toBe(404);
    expect((await http('GET', `${two.publicUrl}/v1/notices`, { token: other.apiKey })).status).toBe(200);
  });

  it('R-P1: from terminatedAt on, the key answers 403 tenant_terminated (export only, privacy issue)', async () => {
    const { tenant } = await createTestTenant(one, { region: 'NA' });
    await adminQuery('global', `UPDATE tenants SET terminated_at = now() - interval '1 minute' WHERE id = $1`, [
      tenant.id,
    ]);
    const key = await http('POST', `${one.supportUrl}/internal/v1/tenants/${tenant.id}/api-keys`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: JUSTIFIED,
    });
    const res = await http('GET', `${two.publicUrl}/v1/notices`, { token: key.body.key });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('tenant_terminated');
  });
});

describe('R-X2: per-tenant rate limit', () => {
  const LIMIT = 5;
  let services: TestServices;

  beforeAll(async () => {
    services = await startTestServices([supportService], { ...ENV, TENANT_RATE_LIMIT_PER_SECOND: String(LIMIT) });
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('R-X2: over the limit the tenant gets 429 with Retry-After; another tenant is not affected', async () => {
    const [busy, quiet] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
    const burst = await Promise.all(
      Array.from({ length: LIMIT * 4 }, () => http('GET', `${services.publicUrl}/v1/notices`, { token: busy.apiKey })),
    );
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(burst.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0].body).toMatchObject({ error: 'rate_limited', details: [expect.any(Object)] });
    expect((await http('GET', `${services.publicUrl}/v1/notices`, { token: quiet.apiKey })).status).toBe(200);
    // R-P2: the counter lives under the tenant's region prefix, where the purge looks.
    const keys = await services.platform.redis.forRegion('NA').keys(`na:t:${busy.tenant.id}:rl:*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});
