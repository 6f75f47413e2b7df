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
import { contactsService } from '../../contacts/src/service';
import { campaignsService } from '../../campaigns/src/service';
import { PrivacyRequestsModule } from '../../privacy/src/requests/privacy-requests.module';
import { supportService } from '../../support/src/service';
import { PIXEL_GIF } from '../src/link-host/pixel';
import { trackingService } from '../src/service';
import { CHROME, LINK_TOKEN_KEYS, openToken } from './tracking-fixtures';

/** The privacy service's data-subject requests, for a restriction (R-D1) made the way a tenant makes it. */
const privacyRequestsService: ServiceDefinition = { name: 'privacy', publicModules: [PrivacyRequestsModule] };

/**
 * R-K4 end to end over the real broker: the contacts and privacy services publish `contact.changed` v2 with the
 * contact's status, tracking follows it, and a valid pixel hit of a restricted or opted-out contact stores nothing
 * linked to the person — in tracking, and in the campaigns service, whose report counts the hit anonymously.
 */
describe('tracking follows contact.changed v2 (R-K4)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-tracking-privacy-'));
  let services: TestServices;
  let na: TestTenant;

  beforeAll(async () => {
    services = await startTestServices(
      [trackingService, contactsService, privacyRequestsService, campaignsService, supportService],
      { LINK_TOKEN_KEYS, DATA_DIR: dataDir, SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN },
    );
    na = await createTestTenant(services, { region: 'NA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const createContact = async (email: string) => {
    const res = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: { email, lawfulBasis: 'contract' },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string };
  };
  const blockOf = async (contactId: string) =>
    (
      await adminQuery<{ reason: string }>(
        'NA',
        `SELECT reason FROM tracking_blocked_contacts WHERE tenant_id = $1 AND contact_id = $2`,
        [na.tenant.id, contactId],
      )
    )[0]?.reason ?? null;
  const waitForBlock = (contactId: string, reason: string | null, what: string) =>
    waitFor(async () => (await blockOf(contactId)) === reason, { what, timeoutMs: 30000 });

  /** A draft campaign of the tenant: its report is what the campaigns service makes of the hits. */
  const createCampaign = async () => {
    const res = await http('POST', `${services.publicUrl}/v1/campaigns`, {
      token: na.apiKey,
      body: { name: 'K4', subject: 's', fromEmail: 'news@shop.example', html: '<p>x</p>', audience: { tags: ['k4'] } },
    });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return (res.body as { id: string }).id;
  };
  const engagementOf = async (campaignId: string) => {
    const res = await http('GET', `${services.publicUrl}/v1/campaigns/${campaignId}/report`, { token: na.apiKey });
    expect(res.status).toBe(200);
    const { opens, uniqueOpens, machineOpens, clicks, uniqueClicks } = res.body as Record<string, number>;
    return { opens, uniqueOpens, machineOpens, clicks, uniqueClicks };
  };
  /**
   * Rows of the campaigns service's tables that tie this contact to this campaign (every table with campaign_id
   * and contact_id, from the catalogue, so a table added later is checked too). A draft sends nothing, so any row
   * can only have come from the contact's hits.
   */
  const campaignRowsOf = async (campaignId: string, contactId: string) => {
    const tables = await adminQuery<{ table_name: string }>(
      'NA',
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name LIKE 'campaign%' AND column_name = 'contact_id'
       INTERSECT
       SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name LIKE 'campaign%' AND column_name = 'campaign_id'`,
    );
    expect(tables.length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const { table_name: table } of tables) {
      const rows = await adminQuery(
        'NA',
        `SELECT 1 FROM ${table} WHERE tenant_id = $1 AND campaign_id = $2 AND contact_id = $3`,
        [na.tenant.id, campaignId, contactId],
      );
      if (rows.length > 0) found.push(table);
    }
    return found;
  };

  /**
   * Opens the pixel of a new draft campaign with a valid token for the contact and waits for the hit to be stored
   * by tracking and counted in the campaign's report.
   */
  const openAndStore = async (contactId: string) => {
    const campaignId = await createCampaign();
    const response = await fetch(`${services.publicUrl}/t/o/${openToken(na.tenant.id, campaignId, contactId)}`, {
      headers: { 'user-agent': CHROME },
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PIXEL_GIF);
    const [hit] = await waitFor(
      async () => {
        const rows = await adminQuery<{
          contact_id: string | null;
          ip_truncated: string | null;
          user_agent: string | null;
        }>(
          'NA',
          `SELECT contact_id, ip_truncated, user_agent FROM tracking_hits WHERE tenant_id = $1 AND campaign_id = $2`,
          [na.tenant.id, campaignId],
        );
        return rows.length > 0 ? rows : null;
      },
      { what: 'the hit to be stored', timeoutMs: 30000 },
    );
    const engagement = await adminQuery(
      'NA',
      `SELECT 1 FROM tracking_contact_engagement WHERE tenant_id = $1 AND campaign_id = $2 AND contact_id = $3`,
      [na.tenant.id, campaignId, contactId],
    );
    const report = await waitFor(
      async () => {
        const counts = await engagementOf(campaignId);
        return counts.opens > 0 ? counts : null;
      },
      { what: 'the campaign report to count the open', timeoutMs: 30000 },
    );
    return {
      hit,
      linkedEngagement: engagement.length,
      report,
      campaignRows: await campaignRowsOf(campaignId, contactId),
    };
  };
  const counted = (uniqueOpens: number) => ({ opens: 1, uniqueOpens, machineOpens: 0, clicks: 0, uniqueClicks: 0 });
  const anonymous = {
    hit: { contact_id: null, ip_truncated: null, user_agent: null },
    linkedEngagement: 0,
    report: counted(0),
    campaignRows: [],
  };

  it('R-K4: a contact suppressed through the contacts API stores nothing linked in tracking or campaigns; once active again its hits are its own', async () => {
    const email = `k4-${randomUUID().slice(0, 8)}@example.com`;
    const contact = await createContact(email);
    expect(await openAndStore(contact.id)).toEqual({
      hit: { contact_id: contact.id, ip_truncated: '127.0.0.0', user_agent: CHROME },
      linkedEngagement: 1,
      report: counted(1),
      campaignRows: [],
    });

    const added = await http('POST', `${services.publicUrl}/v1/suppressions`, { token: na.apiKey, body: { email } });
    expect(added.status).toBe(201);
    await waitForBlock(contact.id, 'unsubscribed', 'contact.changed v2 (suppressed) to reach tracking');
    expect(await openAndStore(contact.id)).toEqual(anonymous);

    const removed = await http('DELETE', `${services.publicUrl}/v1/suppressions/${encodeURIComponent(email)}`, {
      token: na.apiKey,
    });
    expect(removed.status).toBe(204);
    await waitForBlock(contact.id, null, 'contact.changed v2 (active again) to reach tracking');
    expect((await openAndStore(contact.id)).hit.contact_id).toBe(contact.id);
  });

  it('R-K4: a contact restricted by a data-subject request stores nothing linked in tracking or campaigns; the report counts the open', async () => {
    const email = `k4r-${randomUUID().slice(0, 8)}@example.com`;
    const contact = await createContact(email);
    const restricted = await http('POST', `${services.publicUrl}/v1/privacy-requests`, {
      token: na.apiKey,
      body: { type: 'restriction', email },
    });
    expect(restricted.body.status).toBe('completed');
    await waitForBlock(contact.id, 'restricted', 'contact.changed v2 (restricted) to reach tracking');
    expect(await openAndStore(contact.id)).toEqual(anonymous);
  });

  it('R-K4: a contact unsubscribed through an opt-out stores nothing linked in tracking or campaigns; the report counts the open', async () => {
    const email = `k4u-${randomUUID().slice(0, 8)}@example.com`;
    const contact = await createContact(email);
    const objected = await http('POST', `${services.publicUrl}/v1/privacy-requests`, {
      token: na.apiKey,
      body: { type: 'objection', email },
    });
    expect(objected.body.status).toBe('completed');
    await waitFor(
      async () =>
        (await http('GET', `${services.publicUrl}/v1/contacts/${contact.id}`, { token: na.apiKey })).body.status ===
        'unsubscribed',
      { what: 'the contact to be unsubscribed', timeoutMs: 30000 },
    );
    await waitForBlock(contact.id, 'unsubscribed', 'the opt-out to reach tracking');
    expect(await openAndStore(contact.id)).toEqual(anonymous);
  });

  it('R-K4, R-D1: a contact erased through DELETE /v1/contacts loses its hits’ link, and new hits store nothing linked', async () => {
    const contact = await createContact(`k4e-${randomUUID().slice(0, 8)}@example.com`);
    expect((await openAndStore(contact.id)).hit.contact_id).toBe(contact.id);
    expect((await http('DELETE', `${services.publicUrl}/v1/contacts/${contact.id}`, { token: na.apiKey })).status).toBe(
      204,
    );
    await waitForBlock(contact.id, 'erased', 'contact.erased to reach tracking');
    expect(await openAndStore(contact.id)).toEqual(anonymous);
    expect(
      await adminQuery('NA', `SELECT 1 FROM tracking_hits WHERE tenant_id = $1 AND contact_id = $2`, [
        na.tenant.id,
        contact.id,
      ]),
    ).toEqual([]);
  });
});
