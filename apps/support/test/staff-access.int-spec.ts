import {
  createTestStaff,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../src/service';

describe('R-A1, R-T4: staff roles and regions on the support API', () => {
  let services: TestServices;
  let naSupport: string;
  let naAdmin: string;
  let eeaTenant: TestTenant;
  let naTenant: TestTenant;

  const call = (
    method: string,
    path: string,
    token: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => http(method, `${services.supportUrl}${path}`, { token, ...options });

  async function staffToken(role: 'support' | 'admin', region: 'NA' | 'EEA'): Promise<{ id: string; token: string }> {
    // The EEA bootstrap admin issues EEA staff only (R-A1): NA staff are seeded as an operator would.
    if (region === 'NA') return createTestStaff({ role, region });
    const res = await call('POST', '/internal/v1/staff-tokens', TEST_BOOTSTRAP_TOKEN, {
      body: { name: `${region} ${role}`, role, region },
    });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^mst_/);
    return res.body;
  }

  beforeAll(async () => {
    services = await startTestServices([supportService], { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN });
    naSupport = (await staffToken('support', 'NA')).token;
    naAdmin = (await staffToken('admin', 'NA')).token;
    [eeaTenant, naTenant] = await Promise.all([
      createTestTenant(services, { region: 'EEA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('R-A1: role support gets 403 on every lifecycle route and may read', async () => {
    const t = naTenant.tenant.id;
    const lifecycle: [string, string, unknown?][] = [
      ['POST', '/internal/v1/tenants', { name: 'x', region: 'NA' }],
      ['POST', `/internal/v1/tenants/${t}/api-keys`],
      ['DELETE', `/internal/v1/tenants/${t}/api-keys/${naTenant.apiKeyId}`],
      ['POST', '/internal/v1/incidents', { tenantIds: [t], summary: 'x', detectedAt: new Date().toISOString() }],
      ['POST', '/internal/v1/staff-tokens', { name: 'x', role: 'admin', region: 'NA' }],
      ['DELETE', `/internal/v1/staff-tokens/${naTenant.apiKeyId}`],
    ];
    for (const [method, path, body] of lifecycle) {
      const res = await call(method, path, naSupport, { body });
      expect({ method, path, status: res.status, error: res.body.error }).toEqual({
        method,
        path,
        status: 403,
        error: 'forbidden_role',
      });
    }
    // The key was not revoked by the refused call.
    expect((await http('GET', `${services.publicUrl}/v1/notices`, { token: naTenant.apiKey })).status).toBe(200);
    expect((await call('GET', `/internal/v1/tenants/${t}`, naSupport)).status).toBe(200);
    expect((await call('GET', '/internal/v1/audit?limit=5', naSupport)).status).toBe(200);
    expect((await call('GET', '/internal/v1/audit/verify', naSupport)).status).toBe(200);
  });

  it('R-A1: an NA admin runs the lifecycle', async () => {
    const res = await call('POST', `/internal/v1/tenants/${naTenant.tenant.id}/api-keys`, naAdmin);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), key: expect.stringMatching(/^mk_/) });
  });

  it('R-T4: reading another region’s tenant without a justification is 403; with one, 200 and audited cross-region', async () => {
    const path = `/internal/v1/tenants/${eeaTenant.tenant.id}`;
    const refused = await call('GET', path, naSupport);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: 'justification_required',
      details: [{ field: 'X-Justification', reason: expect.any(String) }],
    });

    const allowed = await call('GET', path, naSupport, { headers: { 'x-justification': 'ticket 4711: client asked' } });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ id: eeaTenant.tenant.id, region: 'EEA', status: 'active' });

    const audit = await call(
      'GET',
      `/internal/v1/audit?tenantId=${eeaTenant.tenant.id}&limit=20`,
      TEST_BOOTSTRAP_TOKEN,
    );
    const reads = audit.body.entries.filter((e: { action: string }) => e.action === 'GET /internal/v1/tenants/:id');
    expect(reads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          crossRegion: true,
          tenantId: eeaTenant.tenant.id,
          details: expect.objectContaining({ outcome: 'ok', justification: 'ticket 4711: client asked' }),
        }),
        expect.objectContaining({ details: expect.objectContaining({ outcome: 403 }) }),
      ]),
    );
    // Own region: no justification needed, not cross-region.
    expect((await call('GET', `/internal/v1/tenants/${naTenant.tenant.id}`, naSupport)).status).toBe(200);
  });

  it('R-A1: a revoked staff token answers 401 at once', async () => {
    const issued = await staffToken('support', 'EEA');
    expect((await call('GET', '/internal/v1/audit?limit=1', issued.token)).status).toBe(200);
    expect((await call('DELETE', `/internal/v1/staff-tokens/${issued.id}`, TEST_BOOTSTRAP_TOKEN)).status).toBe(204);
    const after = await call('GET', '/internal/v1/audit?limit=1', issued.token);
    expect(after.status).toBe(401);
  });

  it('support routes do not exist on the public port', async () => {
    const res = await http('GET', `${services.publicUrl}/internal/v1/audit`, { token: TEST_BOOTSTRAP_TOKEN });
    expect(res.status).toBe(404);
  });
});
