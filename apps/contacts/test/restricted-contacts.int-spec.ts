import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ServiceDefinition } from '@missive/platform';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { campaignsService } from '../../campaigns/src/service';
import { PrivacyRequestsModule } from '../../privacy/src/requests/privacy-requests.module';
import { supportService } from '../../support/src/service';
import { trackingService } from '../../tracking/src/service';
import { CHROME, LINK_TOKEN_KEYS, openToken } from '../../tracking/test/tracking-fixtures';
import { contactsService } from '../src/service';
import { importFile, type ImportReport } from './import-helpers';

/** The privacy service's data-subject requests, for a restriction made the way a tenant makes it. */
const privacyRequestsService: ServiceDefinition = { name: 'privacy', publicModules: [PrivacyRequestsModule] };

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

interface Contact {
  id: string;
  status: string;
  firstName: string | null;
  lists: string[];
  updatedAt: string;
}

type KeptOffReport = ImportReport & { keptOff: number; keptOffRows: { row: number; field: string; reason: string }[] };

/**
 * R-D1 "restriction (kept, never processed)" across the real services: a restricted contact is not changed by an
 * upsert or an import (the import reports the row as kept), cannot be resubscribed, and its engagement is stored
 * by neither tracking nor campaigns against the person — the hit counts only in the anonymous campaign totals.
 */
describe('restricted contacts are not changed by imports or engagement (R-D1)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-restricted-'));
  let services: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    services = await startTestServices(
      [contactsService, privacyRequestsService, trackingService, campaignsService, supportService],
      { LINK_TOKEN_KEYS, DATA_DIR: dataDir, SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN },
    );
    t = await createTestTenant(services, { region: 'NA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const url = (path: string) => `${services.publicUrl}${path}`;
  const getContact = async (id: string) =>
    (await http<Contact>('GET', url(`/v1/contacts/${id}`), { token: t.apiKey })).body;

  /** A contact restricted through a data-subject request, as the campaigns and tracking services know it. */
  const restrictedContact = async () => {
    const email = `restricted-${randomUUID().slice(0, 8)}@example.com`;
    const created = await http<Contact>('POST', url('/v1/contacts'), {
      token: t.apiKey,
      body: { email, firstName: 'Ann', lawfulBasis: 'consent', consent: CONSENT, lists: ['alpha'] },
    });
    expect(created.status).toBe(201);
    const request = await http('POST', url('/v1/privacy-requests'), {
      token: t.apiKey,
      body: { type: 'restriction', email },
    });
    expect(request.body.status).toBe('completed');
    const contact = await getContact(created.body.id);
    expect(contact.status).toBe('restricted');
    return { email, contact };
  };

  it('R-D1: an upsert and an import leave a restricted contact unchanged; the import reports the row as kept', async () => {
    const { email, contact } = await restrictedContact();
    const upserted = await http<Contact>('POST', url('/v1/contacts'), {
      token: t.apiKey,
      body: { email, firstName: 'Changed', lawfulBasis: 'consent', consent: CONSENT, lists: ['alpha', 'beta'] },
    });
    expect(upserted.status).toBe(200);
    expect(upserted.body).toEqual(contact);

    const report = (await importFile(
      services,
      t,
      [
        'email,firstName,lawfulBasis,consent.givenAt,consent.source,lists',
        `new-${randomUUID().slice(0, 8)}@example.com,Bo,consent,${CONSENT.givenAt},${CONSENT.source},alpha`,
        `${email},Imported,consent,${CONSENT.givenAt},${CONSENT.source},alpha;beta`,
      ].join('\n'),
    )) as KeptOffReport;
    expect(report).toMatchObject({ status: 'done', total: 2, created: 1, updated: 0, unchanged: 1, keptOff: 1 });
    expect(report.keptOffRows).toEqual([{ row: 3, field: 'row', reason: 'restricted' }]);
    expect(await getContact(contact.id)).toEqual(contact);

    const resubscribed = await http('POST', url(`/v1/contacts/${contact.id}/resubscribe`), {
      token: t.apiKey,
      body: { consent: { givenAt: '2026-01-05T08:00:00Z', source: 'web' } },
    });
    expect(resubscribed.status).toBe(409);
    expect(await getContact(contact.id)).toEqual(contact);
  });

  it('R-D1, R-K4: an open by a restricted contact counts in the campaign totals only; nothing is stored per person', async () => {
    const { contact } = await restrictedContact();
    await waitFor(
      async () =>
        (
          await adminQuery<{ status: string }>(
            'NA',
            'SELECT status FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2',
            [t.tenant.id, contact.id],
          )
        )[0]?.status === 'restricted',
      { what: 'the campaigns projection to see the restriction', timeoutMs: 30000 },
    );
    await waitFor(
      async () =>
        (
          await adminQuery('NA', 'SELECT 1 FROM tracking_blocked_contacts WHERE tenant_id = $1 AND contact_id = $2', [
            t.tenant.id,
            contact.id,
          ])
        ).length === 1,
      { what: 'tracking to block the contact', timeoutMs: 30000 },
    );

    // A campaign of the tenant: the campaigns service keeps counts only for its tenant's own campaigns (R-T1).
    const campaign = await http<{ id: string }>('POST', url('/v1/campaigns'), {
      token: t.apiKey,
      body: { name: 'R', subject: 's', fromEmail: 'news@shop.example', html: '<p>x</p>', audience: { tags: ['r'] } },
    });
    expect(campaign.status).toBe(201);
    const campaignId = campaign.body.id;
    const pixel = await fetch(url(`/t/o/${openToken(t.tenant.id, campaignId, contact.id)}`), {
      headers: { 'user-agent': CHROME },
    });
    expect(pixel.status).toBe(200);
    await waitFor(
      async () =>
        (
          await adminQuery<{ opens: number }>(
            'NA',
            'SELECT opens::int FROM campaign_engagement WHERE tenant_id = $1 AND campaign_id = $2',
            [t.tenant.id, campaignId],
          )
        )[0]?.opens === 1,
      { what: 'the campaigns report to count the open', timeoutMs: 30000 },
    );
    await waitFor(
      async () =>
        (await adminQuery('NA', 'SELECT 1 FROM tracking_hits WHERE tenant_id = $1 AND campaign_id = $2', [
          t.tenant.id,
          campaignId,
        ]).then((rows) => rows.length)) === 1,
      { what: 'tracking to store the hit', timeoutMs: 30000 },
    );
    const personal = async (table: string) =>
      adminQuery('NA', `SELECT 1 FROM ${table} WHERE tenant_id = $1 AND campaign_id = $2 AND contact_id = $3`, [
        t.tenant.id,
        campaignId,
        contact.id,
      ]);
    expect(await personal('tracking_contact_engagement')).toEqual([]);
    expect(await personal('tracking_hits')).toEqual([]);
    expect(await getContact(contact.id)).toEqual(contact);
  });
});
