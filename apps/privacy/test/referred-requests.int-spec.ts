import { randomUUID } from 'node:crypto';
import type { ServiceDefinition } from '@missive/platform';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { PrivacyRequestsModule } from '../src/requests/privacy-requests.module';

const privacyRequestsService: ServiceDefinition = { name: 'privacy', publicModules: [PrivacyRequestsModule] };

interface Listed {
  id: string;
  status: string;
  source: string;
  receivedAt: string;
}

describe('referred data-subject requests: listed and closed by the tenant, overdue ones on /metrics (R-D3)', () => {
  let services: TestServices;
  let na: TestTenant;
  let eea: TestTenant;

  const api = (t: TestTenant, method: 'GET' | 'POST', path: string, body?: unknown) =>
    http(method, `${services.publicUrl}/v1/privacy-requests${path}`, { token: t.apiKey, body });
  const list = (t: TestTenant, query = '') => api(t, 'GET', query);

  /** A request support received on `receivedAt` and referred to the tenant, once the privacy service recorded it. */
  async function refer(t: TestTenant, receivedAt: string, type = 'erasure'): Promise<string> {
    const res = await http('POST', `${services.supportUrl}/internal/v1/tenants/${t.tenant.id}/privacy-referrals`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'privacy referral' },
      body: { type, receivedAt, summary: `Asked by phone, ticket ${randomUUID().slice(0, 6)}` },
    });
    if (res.status !== 201) throw new Error(`referral: ${res.status} ${res.text}`);
    const id = res.body.id as string;
    await waitFor(async () => (await api(t, 'GET', `/${id}`)).status === 200, { what: 'the referral to be recorded' });
    return id;
  }

  /** Every request of the tenant, page after page. */
  async function listAll(t: TestTenant, query: string): Promise<Listed[]> {
    const items: Listed[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(t, `?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }

  async function overdueGauge(region: string): Promise<number> {
    const res = await http('GET', `${services.publicUrl}/metrics`);
    const line = res.text.split('\n').find((l) => l.startsWith(`missive_privacy_requests_overdue{region="${region}"}`));
    if (!line) throw new Error(`no missive_privacy_requests_overdue for ${region}`);
    return Number(line.split(' ').pop());
  }

  beforeAll(async () => {
    services = await startTestServices([privacyRequestsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    [na, eea] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'EEA' }),
    ]);
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('R-D3: the tenant lists its requests newest first, by status, a page at a time, and only its own', async () => {
    const older = await refer(na, '2026-11-02T08:00:00.000Z');
    const newer = await refer(na, '2026-11-20T08:00:00.000Z', 'access');
    const viaApi = await api(na, 'POST', '', { type: 'access', email: `${randomUUID()}@example.com` });
    expect(viaApi.body.status).toBe('rejected');

    const all = await listAll(na, 'limit=1');
    expect(all.map((r) => r.id)).toEqual([viaApi.body.id, newer, older]);
    expect(all[1]).toEqual({
      id: newer,
      type: 'access',
      status: 'pending',
      source: 'support',
      receivedAt: '2026-11-20T08:00:00.000Z',
      acknowledgeBy: expect.any(String),
      dueAt: '2027-01-04T08:00:00.000Z',
    });
    expect(all[0]).toMatchObject({ source: 'api', status: 'rejected' });
    expect(all[0]).not.toHaveProperty('result');

    const pending = await listAll(na, 'status=pending');
    expect(pending.map((r) => r.id)).toEqual([newer, older]);
    expect((await listAll(na, 'status=rejected')).map((r) => r.id)).toEqual([viaApi.body.id]);
    expect((await listAll(eea, '')).map((r) => r.id)).toEqual([]);
  });

  it('R-D3: bad list parameters answer 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['?status=open', 'status'],
      ['?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
      ['?limit=ten', 'limit'],
      ['?colour=red', 'colour'],
    ]) {
      const res = await list(na, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error).toBe('invalid_input');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('R-D3, R-A3: the tenant completes a referred request once; it is audited', async () => {
    const id = await refer(na, '2026-11-03T08:00:00.000Z');
    const done = await api(na, 'POST', `/${id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id, type: 'erasure', status: 'completed', completedAt: expect.any(String) });
    expect(Math.abs(new Date(done.body.completedAt).getTime() - Date.now())).toBeLessThan(60000);
    expect((await api(na, 'GET', `/${id}`)).body).toEqual(done.body);

    for (const action of ['complete', 'reject']) {
      const again = await api(na, 'POST', `/${id}/${action}`, action === 'reject' ? { reason: 'too late' } : undefined);
      expect({ action, status: again.status }).toEqual({ action, status: 409 });
      expect(again.body.error).toBe('request_closed');
    }
    expect((await api(na, 'GET', `/${id}`)).body.status).toBe('completed');

    const audit = await http('GET', `${services.supportUrl}/internal/v1/audit?tenantId=${na.tenant.id}&limit=50`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'privacy referral' },
    });
    const entry = audit.body.entries.find((e: { action: string }) => e.action === 'privacy-request.completed');
    expect(entry).toMatchObject({ actor: expect.stringMatching(/^api-key:/), tenantId: na.tenant.id });
  });

  it('R-D3: a rejection needs a reason, keeps it as the result, and happens once', async () => {
    const id = await refer(eea, '2026-11-04T08:00:00.000Z');
    for (const body of [undefined, {}, { reason: '   ' }, { reason: 42 }, { reason: 'x', note: 'y' }]) {
      const res = await api(eea, 'POST', `/${id}/reject`, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(
        body && 'note' in body ? 'note' : 'reason',
      );
    }
    expect((await api(eea, 'GET', `/${id}`)).body.status).toBe('pending');

    const rejected = await api(eea, 'POST', `/${id}/reject`, { reason: 'The person could not be identified' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      id,
      status: 'rejected',
      completedAt: expect.any(String),
      result: { reason: 'The person could not be identified' },
    });
    expect(rejected.body).not.toHaveProperty('acknowledgeBy');
    expect((await api(eea, 'POST', `/${id}/reject`, { reason: 'again' })).status).toBe(409);
    expect((await api(eea, 'POST', `/${id}/complete`)).status).toBe(409);
  });

  it("R-T1: another tenant's request, or no request at all, answers 404 and stays as it is", async () => {
    const id = await refer(na, '2026-11-05T08:00:00.000Z');
    expect((await api(eea, 'POST', `/${id}/complete`)).status).toBe(404);
    expect((await api(eea, 'POST', `/${id}/reject`, { reason: 'not ours' })).status).toBe(404);
    expect((await api(na, 'POST', `/${randomUUID()}/complete`)).status).toBe(404);
    expect((await api(na, 'POST', '/not-a-uuid/complete')).status).toBe(404);
    expect((await api(na, 'GET', `/${id}`)).body.status).toBe('pending');
  });

  it('R-D3: a request pending past its due date shows on /metrics until the tenant closes it', async () => {
    // Received in January: due in February (NA, 45 days), long past.
    const id = await refer(na, '2026-01-06T08:00:00.000Z');
    const before = await overdueGauge('NA');
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await api(na, 'POST', `/${id}/reject`, { reason: 'withdrawn by the person' })).status).toBe(200);
    expect(await overdueGauge('NA')).toBe(before - 1);
  });
});
