import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  adminQuery,
  createTestTenant,
  http,
  JUSTIFIED,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../src/service';

/**
 * One row of the BOLA sweep: a public route that takes an id, and how to make a record of that kind for a
 * tenant. Services add their routes here (and their service to SERVICES); the sweep asks for tenant B's record
 * with tenant A's key and expects 404, and B's record never in A's list.
 */
interface BolaRoute {
  name: string;
  /** Creates one record for the tenant and returns its id. */
  seed(services: TestServices, owner: TestTenant): Promise<string>;
  get(id: string): string;
  /** The list route that must never show another tenant's record, if any. */
  list?: string;
}

/** Records an incident and waits until each tenant's region has written its notice (from the event, R-A2). */
async function recordIncident(services: TestServices, tenantIds: string[], summary: string): Promise<void> {
  const res = await http('POST', `${services.supportUrl}/internal/v1/incidents`, {
    token: TEST_BOOTSTRAP_TOKEN,
    headers: JUSTIFIED, // the tenants may be NA ones (R-A1)
    body: { tenantIds, summary, detectedAt: new Date().toISOString() },
  });
  expect(res.status).toBe(201);
  const written = async () => {
    let n = 0;
    for (const region of ['NA', 'EEA'] as const) {
      n += (
        await adminQuery<{ c: number }>(region, 'SELECT count(*)::int AS c FROM notices WHERE summary = $1', [summary])
      )[0].c;
    }
    return n >= tenantIds.length;
  };
  await waitFor(written, { what: 'the incident notices', timeoutMs: 10000, intervalMs: 50 });
}

const BOLA_ROUTES: BolaRoute[] = [
  {
    name: 'notice',
    seed: async (services, owner) => {
      const summary = `incident for ${owner.tenant.id}`;
      await recordIncident(services, [owner.tenant.id], summary);
      const list = await http('GET', `${services.publicUrl}/v1/notices`, { token: owner.apiKey });
      return list.body.items.find((n: { summary: string }) => n.summary === summary).id;
    },
    get: (id) => `/v1/notices/${id}`,
    list: '/v1/notices',
  },
];

const SERVICES = [supportService];

describe('R-T1, R-T2: tenant isolation and residency', () => {
  let services: TestServices;
  let a: TestTenant;
  let b: TestTenant;
  let eea: TestTenant;

  beforeAll(async () => {
    services = await startTestServices(SERVICES, { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN });
    [a, b, eea] = await Promise.all([
      createTestTenant(services, { region: 'NA', name: 'tenant A' }),
      createTestTenant(services, { region: 'NA', name: 'tenant B' }),
      createTestTenant(services, { region: 'EEA', name: 'tenant EEA' }),
    ]);
  });

  afterAll(async () => {
    await services?.stop();
  });

  describe.each(BOLA_ROUTES)('R-T1: BOLA sweep — $name', (route) => {
    it(`R-T1: tenant A's key on tenant B's ${route.name} answers 404, like an id that does not exist`, async () => {
      const bId = await route.seed(services, b);
      const own = await http('GET', `${services.publicUrl}${route.get(bId)}`, { token: b.apiKey });
      expect(own.status).toBe(200);

      const foreign = await http('GET', `${services.publicUrl}${route.get(bId)}`, { token: a.apiKey });
      const missing = await http('GET', `${services.publicUrl}${route.get(randomUUID())}`, { token: a.apiKey });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);

      if (route.list) {
        const list = await http('GET', `${services.publicUrl}${route.list}`, { token: a.apiKey });
        expect(list.status).toBe(200);
        expect(JSON.stringify(list.body)).not.toContain(bId);
      }
    });
  });

  it('R-T1: the app role with tenant A set reads none of B’s rows, even naming them in WHERE, and cannot write as B', async () => {
    const summary = `sql-check ${randomUUID()}`;
    await recordIncident(services, [b.tenant.id], summary);
    const [owned] = await adminQuery<{ id: string }>(
      'NA',
      'SELECT id FROM notices WHERE tenant_id = $1 AND summary = $2',
      [b.tenant.id, summary],
    );
    expect(owned).toBeDefined();

    const client = new Client({ connectionString: services.config.databases.regional.NA });
    await client.connect();
    try {
      const [{ role }] = (await client.query<{ role: string }>('SELECT current_user AS role')).rows;
      expect(role).not.toBe('postgres');
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [a.tenant.id]);
      const byId = await client.query('SELECT * FROM notices WHERE id = $1', [owned.id]);
      const byTenant = await client.query('SELECT count(*)::int AS c FROM notices WHERE tenant_id = $1', [b.tenant.id]);
      expect(byId.rowCount).toBe(0);
      expect(byTenant.rows[0].c).toBe(0);
      const updated = await client.query(`UPDATE notices SET summary = 'x' WHERE id = $1`, [owned.id]);
      expect(updated.rowCount).toBe(0);
      await expect(
        client.query(`INSERT INTO notices (id, tenant_id, kind, summary) VALUES ($1, $2, 'incident', 'forged')`, [
          randomUUID(),
          b.tenant.id,
        ]),
      ).rejects.toThrow(/row-level security/);
      await client.query('ROLLBACK');

      // No tenant set at all: nothing is visible.
      const none = await client.query('SELECT count(*)::int AS c FROM notices');
      expect(none.rows[0].c).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('R-T2: an NA tenant’s rows exist only in missive_na, an EEA tenant’s only in missive_eea', async () => {
    const summary = `residency ${randomUUID()}`;
    await recordIncident(services, [a.tenant.id, eea.tenant.id], summary);
    const rows = async (db: 'NA' | 'EEA', tenantId: string) =>
      (
        await adminQuery<{ c: number }>(
          db,
          'SELECT count(*)::int AS c FROM notices WHERE tenant_id = $1 AND summary = $2',
          [tenantId, summary],
        )
      )[0].c;
    expect(await rows('NA', a.tenant.id)).toBe(1);
    expect(await rows('EEA', a.tenant.id)).toBe(0);
    expect(await rows('EEA', eea.tenant.id)).toBe(1);
    expect(await rows('NA', eea.tenant.id)).toBe(0);
    // The global directory holds the tenant, never the notice text.
    const global = await adminQuery<{ c: number }>(
      'global',
      `SELECT count(*)::int AS c FROM incidents WHERE $1 = ANY(tenant_ids)`,
      [a.tenant.id],
    );
    expect(global[0].c).toBeGreaterThan(0);
    const [{ columns }] = await adminQuery<{ columns: string[] }>(
      'global',
      `SELECT array_agg(column_name::text) AS columns FROM information_schema.columns WHERE table_name = 'incidents'`,
    );
    expect(columns).not.toContain('summary');
  });

  it('R-T2: a tenant’s region is fixed at creation, even for the database owner', async () => {
    await expect(
      adminQuery('global', `UPDATE tenants SET region = 'EEA' WHERE id = $1`, [a.tenant.id]),
    ).rejects.toThrow(/fixed at creation/);
  });

  it('R-A2: an incident is readable by each affected tenant within a second through GET /v1/notices', async () => {
    const summary = `incident ${randomUUID()}`;
    await recordIncident(services, [a.tenant.id, eea.tenant.id], summary);
    for (const tenant of [a, eea]) {
      const res = await waitFor(
        async () => {
          const r = await http('GET', `${services.publicUrl}/v1/notices`, { token: tenant.apiKey });
          return JSON.stringify(r.body).includes(summary) ? r : null;
        },
        { what: `the notice of ${tenant.tenant.region}`, timeoutMs: 10000, intervalMs: 50 },
      );
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual(
        expect.arrayContaining([{ id: expect.any(String), kind: 'incident', summary, createdAt: expect.any(String) }]),
      );
    }
    const other = await http('GET', `${services.publicUrl}/v1/notices`, { token: b.apiKey });
    expect(JSON.stringify(other.body)).not.toContain(summary);
  });
});
