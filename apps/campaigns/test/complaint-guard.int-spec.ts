import { randomUUID } from 'node:crypto';
import { DELIVERY_RECORDED, type DeliveryRecordedV1 } from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  JUSTIFIED,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type ScratchDatabases,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { campaignsService } from '../src/service';

/**
 * R-S8, R-S7: the complaint guard across the real services. Campaigns of 1,000 delivered messages are seeded into
 * the ledger (sending 1,000 mails adds nothing here); complaints arrive as `delivery.recorded` through the outbox
 * and Kafka, as the inbound ARF path and the provider webhooks publish them.
 */
describe('R-S8: a campaign past 0.3 % complaints after 1,000 delivered pauses itself', () => {
  let scratch: ScratchDatabases;
  let db: { url: string };
  let services: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    services = await startTestServices([supportService, campaignsService], {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    t = await createTestTenant(services, { region: 'NA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await scratch?.drop();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies of several shapes, read as JSON
  const api = <T = any>(method: string, path: string) =>
    http<T>(method, `${services.publicUrl}${path}`, { token: t.apiKey });

  /** A campaign in `sending` with `sent` messages (and `bounced` ones) in its ledger; its delivered contact ids. */
  async function seedCampaign(sent: number, bounced = 0): Promise<{ id: string; contacts: string[] }> {
    const id = randomUUID();
    await adminQuery(
      db,
      `INSERT INTO campaigns (id, tenant_id, name, subject, from_email, html, audience, status, started_at)
       VALUES ($1, $2, 'guarded', 'Hello', 'news@example.com', '<p>Hi</p>', '{"lists":["all"]}', 'sending', now())`,
      [id, t.tenant.id],
    );
    await adminQuery(
      db,
      `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state)
       SELECT $1, $2, gen_random_uuid(), CASE WHEN n <= $3::int THEN 'sent' ELSE 'bounced' END
         FROM generate_series(1, $3::int + $4::int) AS n`,
      [t.tenant.id, id, sent, bounced],
    );
    const rows = await adminQuery<{ contact_id: string }>(
      db,
      `SELECT contact_id FROM campaign_deliveries WHERE campaign_id = $1 AND state = 'sent' ORDER BY contact_id`,
      [id],
    );
    return { id, contacts: rows.map((r) => r.contact_id) };
  }

  /** Publishes complaints through the outbox, as the inbound ARF path does. */
  const complain = (campaignId: string, contactIds: string[]) =>
    services.platform.databases.forRegion('NA').transaction((m) =>
      appendToOutbox(
        m,
        contactIds.map((contactId) => {
          const data: DeliveryRecordedV1 = {
            contactId,
            campaignId,
            outcome: 'complaint',
            source: 'arf',
            status: 'abuse',
            at: new Date().toISOString(),
          };
          return { type: DELIVERY_RECORDED, region: 'NA' as const, tenantId: t.tenant.id, key: contactId, data };
        }),
      ),
    );

  const complaintsCounted = async (campaignId: string) =>
    Number(
      (
        await adminQuery<{ n: string }>(
          db,
          `SELECT count(*) AS n FROM campaign_delivery_feedback WHERE campaign_id = $1 AND outcome = 'complaint'`,
          [campaignId],
        )
      )[0].n,
    );
  const notices = async () =>
    (await api<{ items: { kind: string; summary: string }[] }>('GET', '/v1/notices')).body.items.filter(
      (n) => n.kind === 'complaint-rate',
    );

  let paused: { id: string; contacts: string[] };
  let kept: { id: string; contacts: string[] };

  it('R-S8: 4 complaints for 1,000 delivered (0.4 %) pause the campaign with complaint_rate and one notice', async () => {
    paused = await seedCampaign(1000);
    await complain(paused.id, paused.contacts.slice(0, 4));

    const campaign = await waitFor(async () => {
      const res = await api('GET', `/v1/campaigns/${paused.id}`);
      return res.body.status === 'paused' ? res.body : null;
    });
    expect(campaign).toMatchObject({ status: 'paused', pausedReason: 'complaint_rate' });

    const issued = await waitFor(async () => ((await notices()).length > 0 ? notices() : null));
    expect(issued).toHaveLength(1);
    expect(issued[0].summary).toContain(paused.id);
    expect(issued[0].summary).toContain('4 complaints for 1000 delivered');
    expect(issued[0].summary).not.toMatch(/@/);
  }, 40000);

  it('R-S8: a further complaint on the paused campaign sends no second notice', async () => {
    await complain(paused.id, [paused.contacts[4]]);
    await waitFor(async () => (await complaintsCounted(paused.id)) === 5 || null);
    // The guard runs in the transaction that records the complaint: a second notice would be in the outbox now.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await notices()).toHaveLength(1);
    expect((await api('GET', `/v1/campaigns/${paused.id}`)).body).toMatchObject({
      status: 'paused',
      pausedReason: 'complaint_rate',
    });
  }, 30000);

  it('R-S8: 3 complaints for 1,000 delivered (exactly 0.3 %) leave the campaign sending', async () => {
    kept = await seedCampaign(1000, 10);
    await complain(kept.id, kept.contacts.slice(0, 3));
    await waitFor(async () => (await complaintsCounted(kept.id)) === 3 || null);
    expect((await api('GET', `/v1/campaigns/${kept.id}`)).body.status).toBe('sending');
    expect(await notices()).toHaveLength(1);
  }, 30000);

  it('R-S8: support reads the tenant 7-day rates; /metrics shows them per tenant id', async () => {
    const res = await http('GET', `${services.supportUrl}/internal/v1/tenants/${t.tenant.id}/deliverability`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: JUSTIFIED,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      tenantId: t.tenant.id,
      window: '7d',
      delivered: 2000,
      bounced: 10,
      complained: 8,
      bounceRate: 10 / 2010,
      complaintRate: 8 / 2000,
    });

    // A tenant that has sent nothing has zero rates (the route fuzzer found a 500 here).
    const quiet = await createTestTenant(services, { region: 'NA' });
    const none = await http('GET', `${services.supportUrl}/internal/v1/tenants/${quiet.tenant.id}/deliverability`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: JUSTIFIED,
    });
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ delivered: 0, bounced: 0, complained: 0, bounceRate: 0, complaintRate: 0 });

    const unknown = await http('GET', `${services.supportUrl}/internal/v1/tenants/${randomUUID()}/deliverability`, {
      token: TEST_BOOTSTRAP_TOKEN,
    });
    expect(unknown.status).toBe(404);
    const refused = await http('GET', `${services.supportUrl}/internal/v1/tenants/${t.tenant.id}/deliverability`, {
      token: TEST_BOOTSTRAP_TOKEN,
    });
    expect(refused.status).toBe(403);

    const metrics = await http('GET', `${services.publicUrl}/metrics`);
    expect(metrics.text).toContain(`missive_tenant_complaint_rate_7d{tenant="${t.tenant.id}"} 0.004`);
    expect(metrics.text).toContain(`missive_tenant_bounce_rate_7d{tenant="${t.tenant.id}"} ${10 / 2010}`);
  }, 30000);
});
