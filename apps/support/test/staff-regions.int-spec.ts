import {
  adminQuery,
  createTestStaff,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../src/service';

const WHY = 'ticket 9001: NA customer escalation';

interface AuditEntry {
  action: string;
  tenantId?: string;
  crossRegion: boolean;
  actor: string;
  details: Record<string, unknown>;
}

/**
 * R-A1, R-T4 on the running support API: the EEA bootstrap admin acting on an NA tenant, and NA staff on EEA ones.
 * Every cross-region write is refused without `X-Justification` (and changes nothing), allowed with it, and
 * audited as cross-region with the text; staff tokens stay within the issuer's region and role; audit reads are
 * region-scoped.
 */
describe('R-A1, R-T4: region scope of every staff action', () => {
  let services: TestServices;
  let na: TestTenant;
  let eea: TestTenant;
  let naSupport: { id: string; token: string };
  let naAdmin: { id: string; token: string };

  const call = (method: string, path: string, token: string, body?: unknown, justification?: string) =>
    http(method, `${services.supportUrl}/internal/v1${path}`, {
      token,
      body,
      headers: justification === undefined ? {} : { 'x-justification': justification },
    });
  /** The tenant's audit entries, read by its own region's staff (no justification needed). */
  const auditOf = async (tenantId: string, token: string): Promise<AuditEntry[]> => {
    const res = await call('GET', `/audit?tenantId=${tenantId}&limit=200`, token);
    expect(res.status).toBe(200);
    return res.body.entries;
  };

  beforeAll(async () => {
    services = await startTestServices([supportService], { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN });
    [na, eea, naSupport, naAdmin] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'EEA' }),
      createTestStaff({ role: 'support', region: 'NA' }),
      createTestStaff({ role: 'admin', region: 'NA' }),
    ]);
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('R-A1: the EEA admin’s API key for an NA tenant is 403 without X-Justification and no key is stored', async () => {
    const keysBefore = await adminQuery('global', 'SELECT id FROM api_keys WHERE tenant_id = $1', [na.tenant.id]);
    const refused = await call('POST', `/tenants/${na.tenant.id}/api-keys`, TEST_BOOTSTRAP_TOKEN);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: 'justification_required',
      message: expect.stringContaining('X-Justification'),
      details: [{ field: 'X-Justification', reason: expect.any(String) }],
    });
    const blank = await call('POST', `/tenants/${na.tenant.id}/api-keys`, TEST_BOOTSTRAP_TOKEN, undefined, '   ');
    expect(blank.status).toBe(403);
    const keysAfter = await adminQuery('global', 'SELECT id FROM api_keys WHERE tenant_id = $1', [na.tenant.id]);
    expect(keysAfter).toHaveLength(keysBefore.length);
  });

  it('R-A1: each cross-region write is 403 without a justification, 2xx with one, audited cross-region with its text', async () => {
    const t = na.tenant.id;
    const future = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const issued = await call('POST', `/tenants/${t}/api-keys`, TEST_BOOTSTRAP_TOKEN, undefined, WHY);
    expect(issued.status).toBe(201);
    const writes: { name: string; method: string; path: string; body?: unknown; status: number; action: string }[] = [
      {
        name: 'revoke key',
        method: 'DELETE',
        path: `/tenants/${t}/api-keys/${issued.body.id}`,
        status: 204,
        action: 'api-key.revoked',
      },
      {
        name: 'legal hold',
        method: 'POST',
        path: `/tenants/${t}/legal-hold`,
        body: { reason: 'case 7' },
        status: 200,
        action: 'tenant.legal-hold-placed',
      },
      {
        name: 'release hold',
        method: 'DELETE',
        path: `/tenants/${t}/legal-hold`,
        status: 200,
        action: 'tenant.legal-hold-released',
      },
      {
        name: 'terminate',
        method: 'POST',
        path: `/tenants/${t}/termination`,
        body: { terminatedAt: future },
        status: 200,
        action: 'tenant.terminated',
      },
      {
        name: 'reactivate',
        method: 'DELETE',
        path: `/tenants/${t}/termination`,
        status: 200,
        action: 'tenant.reactivated',
      },
      {
        name: 'incident',
        method: 'POST',
        path: '/incidents',
        body: { tenantIds: [t, eea.tenant.id], summary: 'regional incident', detectedAt: new Date().toISOString() },
        status: 201,
        action: 'incident.notified',
      },
      {
        name: 'privacy referral',
        method: 'POST',
        path: `/tenants/${t}/privacy-referrals`,
        body: { type: 'access', receivedAt: new Date().toISOString(), summary: 'phone call' },
        status: 201,
        action: 'privacy-request.referred',
      },
    ];
    for (const write of writes) {
      const refused = await call(write.method, write.path, TEST_BOOTSTRAP_TOKEN, write.body);
      expect({ write: write.name, status: refused.status, error: refused.body.error }).toEqual({
        write: write.name,
        status: 403,
        error: 'justification_required',
      });
      const allowed = await call(write.method, write.path, TEST_BOOTSTRAP_TOKEN, write.body, WHY);
      expect({ write: write.name, status: allowed.status }).toEqual({ write: write.name, status: write.status });
    }

    // The refusals changed nothing: one key issued and revoked, the hold and termination each set and undone.
    const [row] = await adminQuery('global', 'SELECT legal_hold_reason, terminated_at FROM tenants WHERE id = $1', [t]);
    expect(row).toEqual({ legal_hold_reason: null, terminated_at: null });
    const keys = await adminQuery('global', 'SELECT revoked_at FROM api_keys WHERE tenant_id = $1', [t]);
    expect(keys.filter((k) => k.revoked_at === null)).toHaveLength(1); // the fixture's own key

    const entries = await auditOf(t, naAdmin.token);
    for (const write of writes) {
      const change = entries.find((e) => e.action === write.action);
      expect({ write: write.name, change }).toEqual({
        write: write.name,
        change: expect.objectContaining({
          actor: 'staff:bootstrap',
          crossRegion: true,
          details: expect.objectContaining({ justification: WHY }),
        }),
      });
    }
    // The staff calls themselves: the refused ones as cross-region attempts (403), the allowed ones with the text.
    const calls = entries.filter((e) => e.action.startsWith('POST ') || e.action.startsWith('DELETE '));
    expect(calls.filter((e) => e.details.outcome === 403).every((e) => e.crossRegion)).toBe(true);
    expect(calls.filter((e) => e.details.outcome === 403).length).toBeGreaterThanOrEqual(6);
    const justified = calls.filter((e) => e.details.justification === WHY);
    expect(justified.length).toBeGreaterThanOrEqual(7); // the key, its revocation, 4 lifecycle writes, the referral
    expect(justified.every((e) => e.crossRegion && e.details.outcome === 'ok')).toBe(true);
  });

  it('R-A1: the same writes by the NA admin on its own tenant need no justification and are not cross-region', async () => {
    const res = await call('POST', `/tenants/${na.tenant.id}/api-keys`, naAdmin.token);
    expect(res.status).toBe(201);
    const incident = await call('POST', '/incidents', naAdmin.token, {
      tenantIds: [na.tenant.id],
      summary: 'NA only',
      detectedAt: new Date().toISOString(),
    });
    expect(incident.status).toBe(201);
    const entries = await auditOf(na.tenant.id, naAdmin.token);
    const issued = entries.find((e) => e.action === 'api-key.issued' && e.actor === `staff:${naAdmin.id}`);
    expect(issued).toMatchObject({ crossRegion: false });
    expect(issued?.details).not.toHaveProperty('justification');
    // And the NA admin on the EEA tenant is refused like the EEA admin on the NA one.
    expect((await call('POST', `/tenants/${eea.tenant.id}/api-keys`, naAdmin.token)).status).toBe(403);
  });

  it('R-A1: creating a tenant in another region needs no justification but is audited as cross-region', async () => {
    const created = await call('POST', '/tenants', TEST_BOOTSTRAP_TOKEN, { name: 'opened from EEA', region: 'NA' });
    expect(created.status).toBe(201);
    const entries = await auditOf(created.body.id, naSupport.token);
    expect(entries.find((e) => e.action === 'tenant.created')).toMatchObject({ crossRegion: true });
  });

  it('R-A1: staff tokens only for the issuer’s region (justification or not) and at most its role', async () => {
    for (const justification of [undefined, WHY]) {
      const res = await call(
        'POST',
        '/staff-tokens',
        TEST_BOOTSTRAP_TOKEN,
        { name: 'x', role: 'support', region: 'NA' },
        justification,
      );
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'forbidden_region', details: [{ field: 'region' }] });
    }
    expect(
      (await call('POST', '/staff-tokens', naAdmin.token, { name: 'x', role: 'admin', region: 'EEA' })).status,
    ).toBe(403);
    // Role support issues nothing, not even a support token of its own region.
    const bySupport = await call('POST', '/staff-tokens', naSupport.token, {
      name: 'x',
      role: 'support',
      region: 'NA',
    });
    expect(bySupport.body.error).toBe('forbidden_role');
    // Within the region, up to the issuer's role: allowed.
    const own = await call('POST', '/staff-tokens', naAdmin.token, {
      name: 'NA helper',
      role: 'support',
      region: 'NA',
    });
    expect(own.status).toBe(201);
    const [row] = await adminQuery('global', 'SELECT role, region FROM staff WHERE id = $1', [own.body.id]);
    expect(row).toEqual({ role: 'support', region: 'NA' });
  });

  it('R-A1: revoking another region’s staff token needs a justification and is audited cross-region', async () => {
    const victim = await createTestStaff({ role: 'support', region: 'NA' });
    expect((await call('DELETE', `/staff-tokens/${victim.id}`, TEST_BOOTSTRAP_TOKEN)).status).toBe(403);
    expect((await call('GET', '/audit?limit=1', victim.token)).status).toBe(200);
    expect((await call('DELETE', `/staff-tokens/${victim.id}`, TEST_BOOTSTRAP_TOKEN, undefined, WHY)).status).toBe(204);
    expect((await call('GET', '/audit?limit=1', victim.token)).status).toBe(401);
    const [entry] = await adminQuery(
      'global',
      `SELECT cross_region, details FROM audit_log WHERE action = 'staff-token.revoked' AND details->>'staffId' = $1`,
      [victim.id],
    );
    expect(entry).toMatchObject({ cross_region: true, details: { justification: WHY, region: 'NA' } });
  });

  it('R-A1: audit reads of another region’s tenant need a justification; without a tenant they stay in the region', async () => {
    const refused = await call('GET', `/audit?tenantId=${na.tenant.id}`, TEST_BOOTSTRAP_TOKEN);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('justification_required');
    const justified = await call(
      'GET',
      `/audit?tenantId=${na.tenant.id}&limit=50`,
      TEST_BOOTSTRAP_TOKEN,
      undefined,
      WHY,
    );
    expect(justified.status).toBe(200);
    expect(justified.body.entries.length).toBeGreaterThan(0);
    expect(justified.body.entries.every((e: AuditEntry) => e.tenantId === na.tenant.id)).toBe(true);
    const naRead = await call('GET', `/audit?tenantId=${eea.tenant.id}`, naSupport.token);
    expect(naRead.status).toBe(403);

    // Without tenantId: the caller's region's tenants and entries of no tenant, never another region's tenant.
    for (const [token, region, other] of [
      [naSupport.token, 'NA', eea.tenant.id],
      [TEST_BOOTSTRAP_TOKEN, 'EEA', na.tenant.id],
    ] as const) {
      const page = await call('GET', '/audit?limit=1000', token);
      expect(page.status).toBe(200);
      const tenantIds = [
        ...new Set((page.body.entries as AuditEntry[]).flatMap((e) => (e.tenantId ? [e.tenantId] : []))),
      ];
      expect(tenantIds).not.toContain(other);
      const regions = await adminQuery<{ region: string }>(
        'global',
        'SELECT DISTINCT region FROM tenants WHERE id = ANY($1::uuid[])',
        [tenantIds],
      );
      expect(regions.map((r) => r.region).filter((r) => r !== region)).toEqual([]);
      expect((page.body.entries as AuditEntry[]).some((e) => !e.tenantId)).toBe(true);
    }

    // The justified read is itself on record as a cross-region access with its text.
    const reads = await waitFor(
      async () => {
        const all = await auditOf(na.tenant.id, naAdmin.token);
        const found = all.filter((e) => e.action === 'GET /internal/v1/audit' && e.actor === 'staff:bootstrap');
        return found.length >= 2 ? found : null;
      },
      { what: 'the audit reads on record' },
    );
    expect(reads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ crossRegion: true, details: { outcome: 'ok', justification: WHY } }),
        expect.objectContaining({ crossRegion: true, details: { outcome: 403 } }),
      ]),
    );
  });

  it('R-T4: an overlong justification is a 400 naming the header, whichever region the tenant is in', async () => {
    for (const tenant of [eea, na]) {
      const res = await call('GET', `/tenants/${tenant.tenant.id}`, naSupport.token, undefined, 'x'.repeat(501));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_input', details: [{ field: 'X-Justification' }] });
    }
    const longest = await call('GET', `/tenants/${eea.tenant.id}`, naSupport.token, undefined, 'x'.repeat(500));
    expect(longest.status).toBe(200);
  });
});

describe('R-A1, R-X2: the bootstrap token is a first key, not a standing one', () => {
  let services: TestServices;

  beforeAll(async () => {
    services = await startTestServices([supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SUPPORT_BOOTSTRAP_TTL_SECONDS: '3',
    });
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('R-A1: accepted within SUPPORT_BOOTSTRAP_TTL_SECONDS of the start, 401 after; issued staff tokens keep working', async () => {
    const audit = () =>
      http('GET', `${services.supportUrl}/internal/v1/audit?limit=1`, { token: TEST_BOOTSTRAP_TOKEN });
    expect((await audit()).status).toBe(200);
    const issued = await http('POST', `${services.supportUrl}/internal/v1/staff-tokens`, {
      token: TEST_BOOTSTRAP_TOKEN,
      body: { name: 'first real admin', role: 'admin', region: 'EEA' },
    });
    expect(issued.status).toBe(201);
    const expired = await waitFor(
      async () => {
        const res = await audit();
        return res.status === 401 ? res : null;
      },
      { what: 'the bootstrap token to expire', timeoutMs: 8000, intervalMs: 250 },
    );
    expect(expired.body).toEqual({
      error: 'unauthorized',
      message: expect.any(String),
      details: [{ field: 'authorization', reason: expect.stringContaining('expired') }],
    });
    const real = await http('GET', `${services.supportUrl}/internal/v1/audit?limit=1`, { token: issued.body.token });
    expect(real.status).toBe(200);
    await adminQuery('global', 'UPDATE staff SET revoked_at = now() WHERE id = $1', [issued.body.id]);
  });
});
