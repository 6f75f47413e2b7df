import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContactChangedV2 } from '@missive/contracts';
import { ManualClock } from '@missive/platform';
import { TenantKeys } from '@missive/tenant-keys';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
} from '@missive/testing';
import { EventTap } from '../../contacts/test/event-tap';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { privacyService } from '../src/service';
import {
  leftovers,
  probeJobStates,
  SEEDED_JOB_STATES,
  seedOtherStores,
  seedRows,
  tenantRowCounts,
} from './purge-fixtures';

const DAY = 24 * 3600 * 1000;
const SWEEP_MS = 300;

describe('R-P1–R-P5: termination, the two-week purge in every store, and its certificate', () => {
  let services: TestServices;
  let dataDir: string;
  let tap: EventTap;
  const clock = new ManualClock(new Date());
  const tapped = new Set<string>();

  const support = (method: string, path: string, body?: unknown) =>
    http(method, `${services.supportUrl}/internal/v1/tenants${path}`, {
      token: TEST_BOOTSTRAP_TOKEN,
      body,
      // The bootstrap admin is EEA staff: NA tenants are reached with a justification (R-T4).
      headers: { 'x-justification': 'purge integration test' },
    });
  const sweeps = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, SWEEP_MS + 50));
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'missive-purge-'));
    services = await startTestServices(
      [supportService, contactsService, privacyService],
      {
        SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
        PURGE_SWEEP_INTERVAL_MS: String(SWEEP_MS),
        PURGE_BATCH_SIZE: '500',
        DATA_DIR: dataDir,
      },
      { clock },
    );
    tap = new EventTap(services.config, tapped);
    await tap.start('NA', ['contact.changed']);
  });

  afterAll(async () => {
    await tap?.stop();
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function tenantWithData(region: 'NA' | 'EEA') {
    const t = await createTestTenant(services, { region });
    tapped.add(t.tenant.id);
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: t.apiKey,
      body: { email: 'ada@example.com', firstName: 'Ada', lawfulBasis: 'contract' },
    });
    expect(created.status).toBe(201);
    await seedRows(region, t.tenant.id, { contacts: 1200, hits: 2500 });
    const queuePrefix = `${region.toLowerCase()}:bull:${services.config.queueNamespace}`;
    const other = await seedOtherStores(region, t.tenant.id, { dataDir, queuePrefix });
    return { ...t, other, queuePrefix, contactId: created.body.id as string };
  }

  it('R-P1: a termination whose purge would already be due needs confirmImmediatePurge (else 409)', async () => {
    const { tenant } = await createTestTenant(services, { region: 'NA' });
    const res = await support('POST', `/${tenant.id}/termination`, {
      terminatedAt: new Date(clock.now().getTime() - 15 * DAY).toISOString(),
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('immediate_purge_unconfirmed');
    const bad = await support('POST', `/${tenant.id}/termination`, { terminatedAt: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('terminatedAt');
  });

  it('R-P2, R-P3, R-P4: terminated more than 14 days ago → purged within a sweep, certificate, nothing left anywhere', async () => {
    const t = await tenantWithData('NA');
    const id = t.tenant.id;
    const sealedEvents = await tap.waitFor('contact.changed', id);
    const before = await tenantRowCounts('NA', id);
    expect(before.contacts).toBe(1201);
    expect(before.tracking_hits).toBe(2500);
    // The fixture holds jobs of the tenant and of a neighbour in the same queue, finished ones too.
    expect(await probeJobStates('NA', t.queuePrefix, id)).toEqual(SEEDED_JOB_STATES);
    expect(await probeJobStates('NA', t.queuePrefix, t.other.neighbourId)).toEqual(SEEDED_JOB_STATES);

    const terminated = await support('POST', `/${id}/termination`, {
      terminatedAt: new Date(clock.now().getTime() - 20 * DAY).toISOString(),
      confirmImmediatePurge: true,
      reason: 'contract ended',
    });
    expect(terminated.status).toBe(200);
    expect(new Date(terminated.body.purgeDueAt).getTime()).toBe(
      new Date(terminated.body.terminatedAt).getTime() + 14 * DAY,
    );

    const certificate = await waitFor(
      async () => {
        const res = await support('GET', `/${id}/purge-certificate`);
        return res.status === 200 ? res.body : null;
      },
      { timeoutMs: 30000, what: 'the purge certificate' },
    );
    expect(certificate).toMatchObject({ tenantId: id, purgeDueAt: terminated.body.purgeDueAt });
    expect(new Date(certificate.completedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(certificate.startedAt).getTime(),
    );
    // R-P4: counts per store equal what existed; no personal data in the certificate.
    for (const [table, n] of Object.entries(before)) {
      if (table === 'tenant_keys') continue;
      expect([table, certificate.deleted[`postgres.na.${table}`]]).toEqual([table, n]);
    }
    expect(certificate.deleted['kafka-keys.na']).toBe(before.tenant_keys);
    expect(certificate.deleted['redis.na']).toBeGreaterThanOrEqual(t.other.redisKeys);
    expect(certificate.deleted['bullmq.na']).toBe(t.other.jobs);
    expect(certificate.deleted['files.na']).toBe(t.other.files);
    expect(JSON.stringify(certificate)).not.toMatch(/@|example|Ada|Person/);

    // R-P2: not a row, key, job or file of the tenant in any store.
    expect(await leftovers(id, dataDir)).toEqual([]);
    // R-P2: every job of the tenant went, whatever its state; every job of the neighbour in the same queue stayed.
    expect(await probeJobStates('NA', t.queuePrefix, id)).toEqual([]);
    expect(await probeJobStates('NA', t.queuePrefix, t.other.neighbourId)).toEqual(SEEDED_JOB_STATES);
    // R-P2: events it left in Kafka can no longer be opened (its key is destroyed), even by a fresh process.
    const keys = new TenantKeys(services.config, services.platform.databases);
    const sealed = (sealedEvents[0].data as ContactChangedV2).personal;
    expect(await keys.open('NA', id, sealed)).toBeNull();
    expect(await adminQuery('NA', 'SELECT 1 FROM tenant_keys WHERE tenant_id = $1', [id])).toHaveLength(0);

    const status = await support('GET', `/${id}`);
    expect(status.body).toMatchObject({ status: 'purged', purgedAt: certificate.completedAt });
    // R-P5: nothing can be restored after it; the key is gone.
    expect((await support('DELETE', `/${id}/termination`)).status).toBe(409);
    expect((await http('GET', `${services.publicUrl}/v1/contacts/${t.contactId}`, { token: t.apiKey })).status).toBe(
      401,
    );
    const audit = await adminQuery<{ action: string }>(
      'global',
      `SELECT action FROM audit_log WHERE tenant_id = $1 AND action LIKE 'tenant.%' ORDER BY id`,
      [id],
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['tenant.terminated', 'tenant.purge-started', 'tenant.purged']),
    );
  });

  it('R-P2: terminated 13 days ago → nothing is deleted; the key works only for export; at day 14 it is purged', async () => {
    const t = await tenantWithData('EEA');
    const id = t.tenant.id;
    const res = await support('POST', `/${id}/termination`, {
      terminatedAt: new Date(clock.now().getTime() - 13 * DAY).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('terminated');
    await sweeps(3);
    expect((await tenantRowCounts('EEA', id)).contacts).toBe(1201);
    expect((await support('GET', `/${id}/purge-certificate`)).status).toBe(404);
    // R-P1: from terminatedAt the tenant's keys work only for export.
    const read = await http('GET', `${services.publicUrl}/v1/contacts/${t.contactId}`, { token: t.apiKey });
    expect(read.status).toBe(403);

    // The injectable clock: one day later the purge is due, and the next sweep runs it.
    clock.advance(DAY + 1000);
    await waitFor(async () => (await support('GET', `/${id}/purge-certificate`)).status === 200, {
      timeoutMs: 30000,
      what: 'the purge at day 14',
    });
    clock.advance(-(DAY + 1000));
    expect(await leftovers(id, dataDir)).toEqual([]);
  });

  it('R-P5: reactivation before purgeDueAt cancels the purge and keeps every row', async () => {
    const t = await tenantWithData('NA');
    const id = t.tenant.id;
    await support('POST', `/${id}/termination`, {
      terminatedAt: new Date(clock.now().getTime() - 10 * DAY).toISOString(),
    });
    const back = await support('DELETE', `/${id}/termination`);
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('active');
    expect(back.body.purgeDueAt).toBeUndefined();
    await sweeps(3);
    expect((await tenantRowCounts('NA', id)).contacts).toBe(1201);
    await waitFor(
      async () =>
        (await http('GET', `${services.publicUrl}/v1/contacts/${t.contactId}`, { token: t.apiKey })).status === 200,
      { what: 'the key working again' },
    );
  });

  it('R-P5: a legal hold makes the due purge wait; released, the purge runs', async () => {
    const t = await tenantWithData('NA');
    const id = t.tenant.id;
    const hold = await support('POST', `/${id}/legal-hold`, { reason: 'litigation hold, case 114' });
    expect(hold.status).toBe(200);
    expect(hold.body.legalHold).toBe('litigation hold, case 114');
    const terminated = await support('POST', `/${id}/termination`, {
      terminatedAt: new Date(clock.now().getTime() - 30 * DAY).toISOString(),
      confirmImmediatePurge: true,
    });
    expect(terminated.status).toBe(200);
    await sweeps(4);
    expect((await tenantRowCounts('NA', id)).contacts).toBe(1201);
    expect((await support('GET', `/${id}/purge-certificate`)).status).toBe(404);
    // R-P5: after purgeDueAt, even a held tenant cannot be reactivated.
    expect((await support('DELETE', `/${id}/termination`)).status).toBe(409);

    expect((await support('DELETE', `/${id}/legal-hold`)).status).toBe(200);
    await waitFor(async () => (await support('GET', `/${id}/purge-certificate`)).status === 200, {
      timeoutMs: 30000,
      what: 'the purge after the hold was released',
    });
    const audit = await adminQuery<{ action: string }>(
      'global',
      `SELECT action FROM audit_log WHERE tenant_id = $1 AND action LIKE 'tenant.legal-hold%' ORDER BY id`,
      [id],
    );
    expect(audit.map((a) => a.action)).toEqual(['tenant.legal-hold-placed', 'tenant.legal-hold-released']);
  });

  it('R-P5: legal holds and terminations are admin-only', async () => {
    const { tenant } = await createTestTenant(services, { region: 'EEA' });
    const staff = await http('POST', `${services.supportUrl}/internal/v1/staff-tokens`, {
      token: TEST_BOOTSTRAP_TOKEN,
      body: { name: 'reader', role: 'support', region: 'EEA' },
    });
    const res = await http('POST', `${services.supportUrl}/internal/v1/tenants/${tenant.id}/legal-hold`, {
      token: staff.body.token,
      body: { reason: 'x' },
    });
    expect(res.status).toBe(403);
  });
});
