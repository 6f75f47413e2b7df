import { randomUUID } from 'node:crypto';
import type { ContactChangedV2 } from '@missive/contracts';
import type { ServiceDefinition } from '@missive/platform';
import { optOutSetKey } from '@missive/redis';
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
import { EventTap } from '../../contacts/test/event-tap';
import { CSV_HEADER, csvRow, importFile } from '../../contacts/test/import-helpers';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { ExportModule } from '../src/export/export.module';
import { requestDeadlines } from '../src/requests/privacy-request.rules';
import { PrivacyRequestsModule } from '../src/requests/privacy-requests.module';

/** The privacy service's request and export modules (privacy.module.ts is wired separately). */
const privacyRequestsService: ServiceDefinition = {
  name: 'privacy',
  publicModules: [PrivacyRequestsModule, ExportModule],
};

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form', ip: '203.0.113.77' };

describe('data-subject requests (R-D1, R-D2, R-D3)', () => {
  let services: TestServices;
  let na: TestTenant;
  let eea: TestTenant;
  let tap: EventTap;
  const unique = () => `p-${randomUUID().slice(0, 8)}`;

  const submit = (t: TestTenant, body: unknown) =>
    http('POST', `${services.publicUrl}/v1/privacy-requests`, { token: t.apiKey, body });
  const read = (t: TestTenant, id: string) =>
    http('GET', `${services.publicUrl}/v1/privacy-requests/${id}`, { token: t.apiKey });
  const createContact = async (t: TestTenant, email: string, extra: Record<string, unknown> = {}) => {
    const res = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: t.apiKey,
      body: { email, lawfulBasis: 'consent', consent: CONSENT, lists: ['news'], tags: ['vip'], ...extra },
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`contact: ${res.status} ${res.text}`);
    return res.body as { id: string; status: string };
  };
  const contactByEmail = (t: TestTenant, email: string) =>
    http('GET', `${services.publicUrl}/v1/contacts?email=${encodeURIComponent(email)}`, { token: t.apiKey });
  const onOptOutSet = (t: TestTenant, contactId: string) =>
    services.platform.redis.forRegion(t.tenant.region).sismember(optOutSetKey(t.tenant.region, t.tenant.id), contactId);

  beforeAll(async () => {
    services = await startTestServices([privacyRequestsService, contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    [na, eea] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'EEA' }),
    ]);
    tap = new EventTap(services.config, new Set([na.tenant.id]));
    await tap.start('NA', ['contact.changed', 'contact.erased', 'unsubscribe.recorded']);
  });

  afterAll(async () => {
    await tap?.stop();
    await services?.stop();
  });

  it('R-D1: bad input answers 400 naming each failing field', async () => {
    const cases: [unknown, string][] = [
      [{ type: 'forget-me', email: 'a@example.com' }, 'type'],
      [{ type: 'access', email: 'not-an-address' }, 'email'],
      [{ type: 'access' }, 'email'],
      [{ type: 'rectification', email: 'a@example.com' }, 'changes'],
      [{ type: 'rectification', email: 'a@example.com', changes: {} }, 'changes'],
      [{ type: 'rectification', email: 'a@example.com', changes: { shoeSize: 9 } }, 'changes.shoeSize'],
      [{ type: 'erasure', email: 'a@example.com', changes: { firstName: 'A' } }, 'changes'],
      [{ type: 'access', email: 'a@example.com', extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await submit(na, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error).toBe('invalid_input');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('R-D1: access returns one JSON with the contact, consents, lists, suppressions, sends, engagement events and opt-outs', async () => {
    const email = `${unique()}@example.com`;
    const contact = await createContact(na, email, { firstName: 'Ada' });
    const campaignId = randomUUID();
    const hitId = randomUUID();
    await adminQuery(
      'NA',
      `INSERT INTO campaigns (id, tenant_id, name, subject, from_email, html, audience, status)
       VALUES ($1, $2, 'Spring sale', 'Hello', 'news@example.com', '<p>Hi</p>', '{}', 'sent')`,
      [campaignId, na.tenant.id],
    );
    await adminQuery(
      'NA',
      `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state, message_id, attempts)
       VALUES ($1, $2, $3, 'sent', '<m1@example.com>', 1)`,
      [na.tenant.id, campaignId, contact.id],
    );
    await adminQuery(
      'NA',
      `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, ip_truncated, user_agent, machine)
       VALUES ($1, $2, $3, $4, 'open', now(), '203.0.113.0', 'Mail/1.0', false)`,
      [hitId, na.tenant.id, campaignId, contact.id],
    );
    await adminQuery(
      'NA',
      `INSERT INTO tracking_contact_engagement (tenant_id, campaign_id, contact_id, opens, first_open_at, last_hit_at)
       VALUES ($1, $2, $3, 1, now(), now())`,
      [na.tenant.id, campaignId, contact.id],
    );
    await adminQuery(
      'NA',
      `INSERT INTO unsubscribe_opt_outs (tenant_id, contact_id, campaign_id, lists, source)
       VALUES ($1, $2, $3, '{news}', 'preferences')`,
      [na.tenant.id, contact.id, campaignId],
    );

    const accepted = await submit(na, { type: 'access', email: email.toUpperCase() });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ type: 'access', status: 'completed' });
    const got = await read(na, accepted.body.id);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).sort()).toEqual(
      ['id', 'type', 'status', 'receivedAt', 'acknowledgeBy', 'dueAt', 'completedAt', 'result'].sort(),
    );
    const result = got.body.result;
    expect(result.contact).toMatchObject({ id: contact.id, email, firstName: 'Ada', lists: ['news'], tags: ['vip'] });
    expect(result.lists).toEqual(['news']);
    expect(result.consents).toEqual([
      expect.objectContaining({ kind: 'grant', source: 'signup-form', givenAt: expect.any(String) }),
    ]);
    expect(result.sends).toEqual([
      expect.objectContaining({
        campaignId,
        campaignName: 'Spring sale',
        state: 'sent',
        messageId: '<m1@example.com>',
      }),
    ]);
    expect(result.engagementEvents).toEqual([
      expect.objectContaining({ hitId, campaignId, kind: 'open', ipTruncated: '203.0.113.0' }),
    ]);
    expect(result.engagement).toEqual([expect.objectContaining({ campaignId, opens: 1 })]);
    expect(result.optOuts).toEqual([expect.objectContaining({ lists: ['news'], source: 'preferences' })]);
    expect(result.suppressions).toEqual([]);

    const portability = await submit(na, { type: 'portability', email });
    expect((await read(na, portability.body.id)).body.result.contact.id).toBe(contact.id);
  });

  it('R-D1: a request for an address on which no data is held is rejected with a reason', async () => {
    const accepted = await submit(na, { type: 'erasure', email: `${unique()}@example.com` });
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('rejected');
    const got = await read(na, accepted.body.id);
    expect(got.body).toMatchObject({ status: 'rejected', result: { reason: 'no data is held on this address' } });
    expect(got.body.completedAt).toEqual(expect.any(String));
  });

  it('R-D1: NA requests are due 45 days after receipt with acknowledgeBy 10 business days; EEA ones in 30 days', async () => {
    const naEmail = `${unique()}@example.com`;
    await createContact(na, naEmail);
    const naReq = await submit(na, { type: 'access', email: naEmail });
    const naDates = requestDeadlines('NA', new Date(naReq.body.receivedAt));
    expect(naReq.body).toMatchObject({
      dueAt: naDates.dueAt.toISOString(),
      acknowledgeBy: naDates.acknowledgeBy!.toISOString(),
    });
    const days = (new Date(naReq.body.dueAt).getTime() - new Date(naReq.body.receivedAt).getTime()) / 86400000;
    expect(days).toBe(45);
    expect(Math.abs(new Date(naReq.body.receivedAt).getTime() - Date.now())).toBeLessThan(60000);

    const eeaEmail = `${unique()}@example.com`;
    await createContact(eea, eeaEmail);
    const eeaReq = await submit(eea, { type: 'access', email: eeaEmail });
    expect(eeaReq.status).toBe(202);
    expect(eeaReq.body.acknowledgeBy).toBeUndefined();
    expect((new Date(eeaReq.body.dueAt).getTime() - new Date(eeaReq.body.receivedAt).getTime()) / 86400000).toBe(30);
    const eeaRead = await read(eea, eeaReq.body.id);
    expect(eeaRead.body).not.toHaveProperty('acknowledgeBy');
    expect(eeaRead.body.dueAt).toBe(eeaReq.body.dueAt);
  });

  it('R-D1: rectification applies the changes under the contact rules and publishes contact.changed v2', async () => {
    const email = `${unique()}@example.com`;
    const contact = await createContact(na, email, { lastName: 'Lovelace' });
    const accepted = await submit(na, { type: 'rectification', email, changes: { lastName: 'King', locale: 'en-GB' } });
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('completed');
    const stored = await contactByEmail(na, email);
    expect(stored.body).toMatchObject({ id: contact.id, lastName: 'King', locale: 'en-GB' });
    expect((await read(na, accepted.body.id)).body.result).toEqual({
      contactId: contact.id,
      changedFields: ['lastName', 'locale'],
    });
    await waitFor(
      () =>
        tap
          .of('contact.changed', na.tenant.id)
          .some(
            (e) => e.version === 2 && (e.data as ContactChangedV2).contactId === contact.id && !e.raw.includes('King'),
          ),
      { what: 'contact.changed v2 with sealed personal fields' },
    );

    const invalid = await submit(na, { type: 'rectification', email, changes: { phone: 'call me maybe' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details).toEqual([expect.objectContaining({ field: 'changes.phone' })]);
    expect((await contactByEmail(na, email)).body.phone).toBeNull();
  });

  it('R-D1: restriction keeps the contact as restricted (never processed) and publishes contact.changed', async () => {
    const email = `${unique()}@example.com`;
    const contact = await createContact(na, email);
    const accepted = await submit(na, { type: 'restriction', email });
    expect(accepted.body.status).toBe('completed');
    expect((await contactByEmail(na, email)).body.status).toBe('restricted');
    await waitFor(() =>
      tap
        .of('contact.changed', na.tenant.id)
        .some(
          (e) =>
            (e.data as ContactChangedV2).contactId === contact.id &&
            (e.data as ContactChangedV2).status === 'restricted',
        ),
    );
  });

  it('R-D1: objection is an unsubscribe: opt-out recorded, send gates told at once, the contact becomes unsubscribed', async () => {
    const email = `${unique()}@example.com`;
    const contact = await createContact(na, email);
    const accepted = await submit(na, { type: 'objection', email });
    expect(accepted.body.status).toBe('completed');
    expect(await onOptOutSet(na, contact.id)).toBe(1);
    const rows = await adminQuery(
      'NA',
      `SELECT source, lists FROM unsubscribe_opt_outs WHERE tenant_id = $1 AND contact_id = $2`,
      [na.tenant.id, contact.id],
    );
    expect(rows).toEqual([{ source: 'objection', lists: null }]);
    await tap.waitFor('unsubscribe.recorded', na.tenant.id);
    await waitFor(async () => (await contactByEmail(na, email)).body.status === 'unsubscribed', {
      what: 'the contact to be unsubscribed',
    });
  });

  it('R-D1: erasure removes the person from every regional table, the opt-out set and earlier access results', async () => {
    const email = `${unique()}@example.com`;
    const contact = await createContact(na, email);
    const campaignId = randomUUID();
    await adminQuery(
      'NA',
      `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state) VALUES ($1, $2, $3, 'sent')`,
      [na.tenant.id, campaignId, contact.id],
    );
    await adminQuery(
      'NA',
      `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, machine)
       VALUES ($1, $2, $3, $4, 'click', now(), false)`,
      [randomUUID(), na.tenant.id, campaignId, contact.id],
    );
    await services.platform.redis.forRegion('NA').sadd(optOutSetKey('NA', na.tenant.id), contact.id);
    const access = await submit(na, { type: 'access', email });

    const erased = await submit(na, { type: 'erasure', email });
    expect(erased.body.status).toBe('completed');
    const result = (await read(na, erased.body.id)).body.result;
    expect(result.deleted).toMatchObject({ contacts: 1, consents: 1, campaign_deliveries: 1, tracking_hits: 1 });
    expect(JSON.stringify(result)).not.toContain(email);

    const leftovers = await adminQuery(
      'NA',
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'contact_id'`,
    );
    for (const { table_name: table } of leftovers) {
      if (table === 'privacy_requests' || table === 'tracking_blocked_contacts') continue;
      const [{ n }] = await adminQuery(`NA`, `SELECT count(*)::int AS n FROM ${table} WHERE contact_id = $1`, [
        contact.id,
      ]);
      expect({ table, n }).toEqual({ table, n: 0 });
    }
    expect(await adminQuery('NA', `SELECT 1 FROM contacts WHERE id = $1`, [contact.id])).toEqual([]);
    expect(await onOptOutSet(na, contact.id)).toBe(0);
    expect((await read(na, access.body.id)).body).not.toHaveProperty('result');
    const event = await tap.waitFor('contact.erased', na.tenant.id);
    expect(event.some((e) => (e.data as { contactId: string }).contactId === contact.id)).toBe(true);
  });

  it('R-D2: an erased person who had opted out re-enters suppressed, through POST /v1/contacts and a CSV import', async () => {
    const viaApi = `${unique()}@example.com`;
    const viaImport = `${unique()}@example.com`;
    await createContact(na, viaApi);
    await createContact(na, viaImport);
    // One opted out by objection, the other through the tenant's suppression list.
    await submit(na, { type: 'objection', email: viaApi });
    const suppressed = await http('POST', `${services.publicUrl}/v1/suppressions`, {
      token: na.apiKey,
      body: { email: viaImport },
    });
    expect(suppressed.status).toBe(201);
    for (const email of [viaApi, viaImport]) {
      const erased = await submit(na, { type: 'erasure', email });
      expect((await read(na, erased.body.id)).body.result.suppressionHashKept).toBe(true);
    }
    const kept = await adminQuery(
      'NA',
      `SELECT email, address_hash, reason FROM suppressions WHERE tenant_id = $1 AND (email = ANY($2) OR email IS NULL)`,
      [na.tenant.id, [viaApi, viaImport]],
    );
    expect(kept).toHaveLength(2);
    for (const row of kept)
      expect(row).toMatchObject({ email: null, address_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Hash-only rows are not addresses: the tenant's list does not show them.
    const list = await http('GET', `${services.publicUrl}/v1/suppressions`, { token: na.apiKey });
    expect(list.body.items.filter((i: { email: string | null }) => i.email === null)).toEqual([]);

    const again = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: { email: viaApi.toUpperCase(), lawfulBasis: 'consent', consent: CONSENT },
    });
    expect(again.status).toBe(201);
    expect(again.body.status).toBe('suppressed');

    const report = await importFile(services, na, `${CSV_HEADER}\n${csvRow(1, { email: viaImport })}\n`);
    expect(report).toMatchObject({ status: 'done', created: 1 });
    expect((await contactByEmail(na, viaImport)).body.status).toBe('suppressed');
  });

  it('R-D2: an erased person who never opted out re-enters active, through POST /v1/contacts and a CSV import', async () => {
    const viaApi = `${unique()}@example.com`;
    const viaImport = `${unique()}@example.com`;
    for (const email of [viaApi, viaImport]) {
      await createContact(na, email);
      const erased = await submit(na, { type: 'erasure', email });
      expect((await read(na, erased.body.id)).body.result.suppressionHashKept).toBe(false);
    }
    const again = await createContact(na, viaApi);
    expect(again.status).toBe('active');
    const report = await importFile(services, na, `${CSV_HEADER}\n${csvRow(2, { email: viaImport })}\n`);
    expect(report).toMatchObject({ status: 'done', created: 1 });
    expect((await contactByEmail(na, viaImport)).body.status).toBe('active');
  });

  it('R-D3: a request support received is referred: the tenant reads a notice, and a pending support request is recorded', async () => {
    const receivedAt = '2026-01-05T09:30:00.000Z';
    const referral = await http(
      'POST',
      `${services.supportUrl}/internal/v1/tenants/${na.tenant.id}/privacy-referrals`,
      {
        token: TEST_BOOTSTRAP_TOKEN,
        headers: { 'x-justification': 'privacy referral' },
        body: { type: 'erasure', receivedAt, summary: 'Caller asked by phone to be forgotten; ticket 1234' },
      },
    );
    expect(referral.status).toBe(201);
    const { id, noticeId } = referral.body;

    const notices = await http('GET', `${services.publicUrl}/v1/notices`, { token: na.apiKey });
    const notice = notices.body.items.find((n: { id: string }) => n.id === noticeId);
    expect(notice).toMatchObject({ kind: 'privacy-request-referral' });
    expect(notice.summary).toContain('ticket 1234');
    expect(notice.summary).toContain(id);

    const request = await waitFor(
      async () => {
        const res = await read(na, id);
        return res.status === 200 ? res.body : null;
      },
      { what: 'the referred request to be recorded' },
    );
    const dates = requestDeadlines('NA', new Date(receivedAt));
    expect(request).toEqual({
      id,
      type: 'erasure',
      status: 'pending',
      receivedAt,
      acknowledgeBy: dates.acknowledgeBy!.toISOString(),
      dueAt: dates.dueAt.toISOString(),
    });
    const [row] = await adminQuery('NA', `SELECT source FROM privacy_requests WHERE id = $1`, [id]);
    expect(row.source).toBe('support');
    // R-T2: what the person wrote stays in the tenant's region, not in the global audit log.
    const audit = await adminQuery(
      'global',
      `SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE '%ticket 1234%'`,
    );
    expect(audit[0].n).toBe(0);
    const audited = await http('GET', `${services.supportUrl}/internal/v1/audit?tenantId=${na.tenant.id}&limit=20`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'privacy referral' },
    });
    expect(audited.body.entries.map((e: { action: string }) => e.action)).toContain('privacy-request.referred');
  });

  it('R-D3: a referral needs a staff token and valid input', async () => {
    const url = `${services.supportUrl}/internal/v1/tenants/${na.tenant.id}/privacy-referrals`;
    expect(
      (await http('POST', url, { body: { type: 'access', receivedAt: '2026-01-05T09:30:00Z', summary: 'x' } })).status,
    ).toBe(401);
    const bad = await http('POST', url, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'privacy referral' },
      body: { type: 'nope', receivedAt: '2999-01-01T00:00:00Z', summary: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['type', 'summary']),
    );
  });

  it("R-T1: another tenant's request id answers 404", async () => {
    const email = `${unique()}@example.com`;
    await createContact(na, email);
    const own = await submit(na, { type: 'access', email });
    expect((await read(eea, own.body.id)).status).toBe(404);
    expect((await read(na, 'not-a-uuid')).status).toBe(404);
  });
});
