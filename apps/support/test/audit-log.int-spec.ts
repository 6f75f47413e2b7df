import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type ScratchDatabases,
  type TestServices,
} from '@missive/testing';
import { supportService } from '../src/service';

describe('R-A3: the append-only, hash-chained audit log', () => {
  // Databases of its own: tampering with the shared chain would break every other run's verify.
  let scratch: ScratchDatabases;
  let services: TestServices;
  let globalDb: { url: string };

  beforeAll(async () => {
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    globalDb = { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL };
    services = await startTestServices([supportService], {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await scratch?.drop();
  }, 60000);

  const get = (path: string) => http('GET', `${services.supportUrl}${path}`, { token: TEST_BOOTSTRAP_TOKEN });

  it('R-A3: key issue and revoke and every staff call are recorded, each entry linked to the one before', async () => {
    const { tenant, apiKeyId } = await createTestTenant(services, { region: 'EEA' });
    await http('DELETE', `${services.supportUrl}/internal/v1/tenants/${tenant.id}/api-keys/${apiKeyId}`, {
      token: TEST_BOOTSTRAP_TOKEN,
    });
    const res = await get(`/internal/v1/audit?tenantId=${tenant.id}&limit=50`);
    expect(res.status).toBe(200);
    const actions = res.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'tenant.created',
        'api-key.issued',
        'api-key.revoked',
        'POST /internal/v1/tenants/:id/api-keys',
        'DELETE /internal/v1/tenants/:id/api-keys/:keyId',
      ]),
    );
    for (const entry of res.body.entries) {
      expect(entry).toEqual(
        expect.objectContaining({
          at: expect.any(String),
          actor: 'staff:bootstrap',
          tenantId: tenant.id,
          crossRegion: false,
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        }),
      );
    }
    const all = (await get('/internal/v1/audit?limit=1000')).body.entries;
    for (let i = 0; i < all.length - 1; i++) expect(all[i].prevHash).toBe(all[i + 1].hash);
    expect(await get('/internal/v1/audit/verify')).toMatchObject({
      status: 200,
      body: { ok: true, entries: expect.any(Number) },
    });
  });

  it('R-A3: the app role can append and read but not update, delete or truncate', async () => {
    const client = new Client({ connectionString: services.config.databases.global });
    await client.connect();
    try {
      await expect(client.query(`UPDATE audit_log SET actor = 'x'`)).rejects.toThrow(/permission denied/);
      await expect(client.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
      await expect(client.query('TRUNCATE audit_log')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
    // Even the owner is stopped by the trigger; only a deliberate superuser act gets through.
    await expect(adminQuery(globalDb, `UPDATE audit_log SET actor = 'x' WHERE id = 1`)).rejects.toThrow(/append-only/);
  });

  it('R-A3: tampering with one row as superuser is reported by verify at that entry', async () => {
    for (let i = 0; i < 3; i++) await get('/internal/v1/audit?limit=1');
    const [target] = await adminQuery<{ id: string }>(
      globalDb,
      'SELECT id::text AS id FROM audit_log ORDER BY audit_log.id DESC OFFSET 2 LIMIT 1',
    );
    expect((await get('/internal/v1/audit/verify')).body.ok).toBe(true);
    await adminQuery(
      globalDb,
      `BEGIN; SET LOCAL session_replication_role = replica;
       UPDATE audit_log SET details = '{"outcome":"nothing to see"}' WHERE id = ${Number(target.id)}; COMMIT;`,
    );
    const verify = await get('/internal/v1/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual({ ok: false, brokenAt: Number(target.id), reason: 'hash' });
  });
});
