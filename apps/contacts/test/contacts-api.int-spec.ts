import { randomUUID } from 'node:crypto';
import { markOptedOut, recordOptOut } from '@missive/contact-domain';
import type { ContactChangedV2 } from '@missive/contracts';
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
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';
import { EventTap } from './event-tap';

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

describe('contacts API (R-C1–C5, R-T1, R-T3)', () => {
  let services: TestServices;
  let na: TestTenant;
  let naSafe: TestTenant;
  let eea: TestTenant;
  let tap: EventTap;
  const post = (t: TestTenant, body: unknown) =>
    http('POST', `${services.publicUrl}/v1/contacts`, { token: t.apiKey, body });

  beforeAll(async () => {
    services = await startTestServices([contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    [na, naSafe, eea] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA', transferSafeguard: 'SCC' }),
      createTestTenant(services, { region: 'EEA' }),
    ]);
    tap = new EventTap(services.config, new Set([na.tenant.id, naSafe.tenant.id]));
    await tap.start('NA', ['contact.changed', 'contact.erased']);
  });

  const base = () => `${services.publicUrl}/v1/contacts`;
  const onOptOutSet = (contactId: string) =>
    services.platform.redis.forRegion('NA').sismember(optOutSetKey('NA', na.tenant.id), contactId);

  /** An opt-out of everything as the unsubscribe service records it; the contacts consumer then unsubscribes. */
  const optOut = async (contactId: string) => {
    const opt = { tenantId: na.tenant.id, region: 'NA' as const, contactId, campaignId: null, lists: null };
    await services.platform.databases.withTenant('NA', na.tenant.id, (m) =>
      recordOptOut(m, { ...opt, source: 'one-click' }),
    );
    await markOptedOut(services.platform.redis.forRegion('NA'), 'NA', na.tenant.id, contactId);
    await waitFor(
      async () => (await http('GET', `${base()}/${contactId}`, { token: na.apiKey })).body.status === 'unsubscribed',
      { what: 'the contact to be unsubscribed', timeoutMs: 30000 },
    );
  };

  /** A delivery and a tracking hit of the contact, as the campaigns and tracking services store them. */
  const sentAndOpened = async (contactId: string) => {
    const campaignId = randomUUID();
    await adminQuery(
      'NA',
      `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state) VALUES ($1, $2, $3, 'sent')`,
      [na.tenant.id, campaignId, contactId],
    );
    await adminQuery(
      'NA',
      `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, ip_truncated, user_agent, machine)
       VALUES ($1, $2, $3, $4, 'open', now(), '203.0.113.0', 'Mail/1.0', false)`,
      [randomUUID(), na.tenant.id, campaignId, contactId],
    );
  };

  /** Rows naming the contact in any regional table but the two that keep an erased id on purpose. */
  const leftoversOf = async (contactId: string) => {
    const tables = await adminQuery<{ table_name: string }>(
      'NA',
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'contact_id'
       AND table_name NOT IN ('privacy_requests', 'tracking_blocked_contacts')`,
    );
    const left: Record<string, number> = {};
    for (const { table_name: table } of tables) {
      const [{ n }] = await adminQuery<{ n: number }>(
        'NA',
        `SELECT count(*)::int AS n FROM ${table} WHERE contact_id = $1`,
        [contactId],
      );
      if (n > 0) left[table] = n;
    }
    const [{ n }] = await adminQuery<{ n: number }>('NA', `SELECT count(*)::int AS n FROM contacts WHERE id = $1`, [
      contactId,
    ]);
    if (n > 0) left.contacts = n;
    return left;
  };

  afterAll(async () => {
    await tap?.stop();
    await services?.stop();
  });

  it('R-C1: creates (201), then upserts by the normalised address (200); identical input changes nothing', async () => {
    const created = await post(na, { email: '  Ann.Lee@Example.COM ', lawfulBasis: 'contract', firstName: 'Ann' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'ann.lee@example.com',
      region: 'NA',
      lawfulBasis: 'contract',
      status: 'active',
      firstName: 'Ann',
    });
    const again = await post(na, { email: 'ANN.LEE@example.com', lawfulBasis: 'contract', firstName: 'Ann' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(again.body.updatedAt).toBe(created.body.updatedAt);
    const changed = await post(na, { email: 'ann.lee@example.com', lawfulBasis: 'contract', firstName: 'Anne' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: created.body.id, firstName: 'Anne' });
    const rows = await adminQuery('NA', `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1`, [na.tenant.id]);
    expect(rows[0].n).toBe(1);

    // R-X5 and R-T2: one v2 event for the create and one for the change (none for the identical call), the
    // personal fields sealed with the tenant's key.
    const events = await tap.waitFor('contact.changed', na.tenant.id, 2);
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(e.version).toBe(2);
      expect(e.data).toMatchObject({ contactId: created.body.id, status: 'active', lawfulBasis: 'contract' });
      expect(e.raw.toLowerCase()).not.toContain('ann.lee');
    }
    const personal = await Promise.all(
      events.map((e) =>
        services.platform.tenantKeys.open<{ email: string; firstName: string }>(
          'NA',
          na.tenant.id,
          (e.data as { personal: string }).personal,
        ),
      ),
    );
    expect(personal.map((p) => p?.firstName).sort()).toEqual(['Ann', 'Anne']);
    expect(personal[0]?.email).toBe('ann.lee@example.com');
  });

  it('R-C5: a bad body is refused with every failing field named, and nothing is written', async () => {
    const res = await post(na, {
      email: 'not-an-address',
      lawfulBasis: 'because',
      consent: { givenAt: 'yesterday' },
      birthDate: '2020-02-30',
      trackingConsent: 'yes',
      colour: 'red',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_input');
    const fields = res.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'email',
        'lawfulBasis',
        'consent.givenAt',
        'consent.source',
        'birthDate',
        'trackingConsent',
        'colour',
      ]),
    );
    const rows = await adminQuery('NA', `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND email = $2`, [
      na.tenant.id,
      'not-an-address',
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('R-T3: an EEA contact of an NA tenant needs the tenant’s transfer safeguard; UK residents get the EEA regime', async () => {
    const refused = await post(na, { email: 'eu@example.de', region: 'EEA', lawfulBasis: 'contract' });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ field: 'region', reason: expect.stringContaining('safeguard') }]);
    const byCountry = await post(na, {
      email: 'uk@example.co.uk',
      lawfulBasis: 'contract',
      attributes: { country: 'GB' },
    });
    expect(byCountry.status).toBe(400);
    expect(byCountry.body.details[0].field).toBe('region');

    const accepted = await post(naSafe, {
      email: 'uk@example.co.uk',
      lawfulBasis: 'contract',
      attributes: { country: 'GB' },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.region).toBe('EEA');
    const home = await post(eea, { email: 'home@example.fr', lawfulBasis: 'legitimate_interests' });
    expect(home.body.region).toBe('EEA');
    // R-T2: the EEA tenant's contact lives in the EEA database only.
    expect(await adminQuery('NA', `SELECT 1 FROM contacts WHERE tenant_id = $1`, [eea.tenant.id])).toEqual([]);
    expect(await adminQuery('EEA', `SELECT 1 FROM contacts WHERE tenant_id = $1`, [eea.tenant.id])).toHaveLength(1);
  });

  it('R-C2: consent needs a record; the IP is truncated and the history keeps grant and withdrawal', async () => {
    const missing = await post(na, { email: 'c@example.com', lawfulBasis: 'consent' });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ field: 'consent', reason: expect.stringContaining('required') }]);

    const created = await post(na, {
      email: 'c@example.com',
      lawfulBasis: 'consent',
      consent: { ...CONSENT, ip: '203.0.113.77', text: 'Yes, send me news' },
    });
    expect(created.status).toBe(201);
    expect(created.body.consent).toMatchObject({ ip: '203.0.113.0', explicit: false });
    const moved = await http('PATCH', `${services.publicUrl}/v1/contacts/${created.body.id}`, {
      token: na.apiKey,
      body: { lawfulBasis: 'contract', consent: null },
    });
    expect(moved.status).toBe(200);
    const history = await adminQuery('NA', `SELECT kind, source, ip FROM consents WHERE contact_id = $1 ORDER BY id`, [
      created.body.id,
    ]);
    expect(history).toEqual([
      { kind: 'grant', source: 'signup-form', ip: '203.0.113.0' },
      { kind: 'withdrawal', source: null, ip: null },
    ]);
  });

  it('R-C3: minors are refused by the age of their regime (16 EEA, 13 NA)', async () => {
    const fifteen = `${new Date().getUTCFullYear() - 15}-01-01`;
    const twelve = `${new Date().getUTCFullYear() - 12}-01-01`;
    expect((await post(na, { email: 'teen@example.com', lawfulBasis: 'contract', birthDate: fifteen })).status).toBe(
      201,
    );
    const child = await post(na, { email: 'kid@example.com', lawfulBasis: 'contract', birthDate: twelve });
    expect(child.status).toBe(400);
    expect(child.body.details).toEqual([{ field: 'birthDate', reason: expect.stringContaining('under 13') }]);
    const eeaTeen = await post(eea, { email: 'teen@example.fr', lawfulBasis: 'contract', birthDate: fifteen });
    expect(eeaTeen.status).toBe(400);
    expect(eeaTeen.body.details[0]).toEqual({ field: 'birthDate', reason: expect.stringContaining('under 16') });
  });

  it('R-C4: special-category attributes need explicit consent', async () => {
    const refused = await post(na, {
      email: 'sc@example.com',
      lawfulBasis: 'consent',
      consent: CONSENT,
      attributes: { Health_Condition: 'asthma', favouriteColour: 'blue' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      { field: 'attributes.Health_Condition', reason: expect.stringContaining('explicit') },
    ]);
    const accepted = await post(na, {
      email: 'sc@example.com',
      lawfulBasis: 'consent',
      consent: { ...CONSENT, explicit: true },
      attributes: { Health_Condition: 'asthma' },
    });
    expect(accepted.status).toBe(201);
  });

  it('R-T1: another tenant’s contact is 404 on every route, and the database refuses it too', async () => {
    const mine = await post(na, { email: 'private@example.com', lawfulBasis: 'contract' });
    const base = `${services.publicUrl}/v1/contacts`;
    expect((await http('GET', `${base}/${mine.body.id}`, { token: naSafe.apiKey })).status).toBe(404);
    expect((await http('GET', `${base}?email=private@example.com`, { token: naSafe.apiKey })).status).toBe(404);
    expect(
      (await http('PATCH', `${base}/${mine.body.id}`, { token: naSafe.apiKey, body: { firstName: 'X' } })).status,
    ).toBe(404);
    expect((await http('DELETE', `${base}/${mine.body.id}`, { token: naSafe.apiKey })).status).toBe(404);
    expect((await http('GET', `${base}/not-a-uuid`, { token: na.apiKey })).status).toBe(404);
    const seen = await services.platform.databases.withTenant('NA', naSafe.tenant.id, (m) =>
      m.query(`SELECT id FROM contacts WHERE id = $1`, [mine.body.id]),
    );
    expect(seen).toEqual([]);
  });

  it('reads by id and by address, patches (409 on a taken address), and erases with contact.erased', async () => {
    const a = await post(na, { email: 'read@example.com', lawfulBasis: 'contract', lists: ['b', 'a', 'a'] });
    await post(na, { email: 'taken@example.com', lawfulBasis: 'contract' });
    const base = `${services.publicUrl}/v1/contacts`;
    expect((await http('GET', `${base}/${a.body.id}`, { token: na.apiKey })).body).toMatchObject({ lists: ['a', 'b'] });
    expect((await http('GET', `${base}?email=READ@example.com`, { token: na.apiKey })).body.id).toBe(a.body.id);
    const bad = await http('PATCH', `${base}/${a.body.id}`, {
      token: na.apiKey,
      body: { phone: 'call me', status: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['status']);
    const badPhone = await http('PATCH', `${base}/${a.body.id}`, { token: na.apiKey, body: { phone: 'call me' } });
    expect(badPhone.body.details).toEqual([{ field: 'phone', reason: expect.any(String) }]);
    const taken = await http('PATCH', `${base}/${a.body.id}`, {
      token: na.apiKey,
      body: { email: 'taken@example.com' },
    });
    expect(taken.status).toBe(409);
    const ok = await http('PATCH', `${base}/${a.body.id}`, { token: na.apiKey, body: { tags: ['vip'] } });
    expect(ok.body).toMatchObject({ tags: ['vip'], lists: ['a', 'b'] });

    expect((await http('DELETE', `${base}/${a.body.id}`, { token: na.apiKey })).status).toBe(204);
    expect((await http('GET', `${base}/${a.body.id}`, { token: na.apiKey })).status).toBe(404);
    expect(await adminQuery('NA', `SELECT 1 FROM contacts WHERE id = $1`, [a.body.id])).toEqual([]);
    const erased = await tap.waitFor('contact.erased', na.tenant.id);
    expect(erased[0].data).toEqual({ contactId: a.body.id });
  });

  it('R-D1, R-D2: DELETE erases an unsubscribed contact everywhere; re-created through POST it lands suppressed', async () => {
    const email = `gone-${randomUUID().slice(0, 8)}@example.com`;
    const created = await post(na, { email, lawfulBasis: 'consent', consent: CONSENT, lists: ['news'] });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await optOut(id);
    await sentAndOpened(id);
    expect(await onOptOutSet(id)).toBe(1);

    expect((await http('DELETE', `${base()}/${id}`, { token: na.apiKey })).status).toBe(204);
    // R-D1: every regional row of the person: contact, consents, opt-outs, deliveries, hits.
    expect(await leftoversOf(id)).toEqual({});
    expect(await onOptOutSet(id)).toBe(0);
    const erased = await tap.waitFor('contact.erased', na.tenant.id);
    expect(erased.some((e) => (e.data as { contactId: string }).contactId === id)).toBe(true);
    // R-A3: the erasure is in the audit log, by key id and contact id only.
    const audited = await adminQuery<{ actor: string; details: { contactId: string } }>(
      'global',
      `SELECT actor, details FROM audit_log WHERE tenant_id = $1 AND action = 'contact.erased'`,
      [na.tenant.id],
    );
    expect(audited).toContainEqual({ actor: `api-key:${na.apiKeyId}`, details: { contactId: id } });
    // R-D2: the address left the suppression list; only its keyed hash stays.
    expect(
      await adminQuery('NA', `SELECT 1 FROM suppressions WHERE tenant_id = $1 AND email = $2`, [na.tenant.id, email]),
    ).toEqual([]);
    const hash = await services.platform.tenantKeys.addressHash('NA', na.tenant.id, email);
    expect(
      await adminQuery('NA', `SELECT email, reason FROM suppressions WHERE tenant_id = $1 AND address_hash = $2`, [
        na.tenant.id,
        hash,
      ]),
    ).toEqual([{ email: null, reason: 'erased-opt-out' }]);

    const again = await post(na, { email: email.toUpperCase(), lawfulBasis: 'consent', consent: CONSENT });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(id);
    expect(again.body.status).toBe('suppressed');
  });

  it('R-D1, R-D2: DELETE of a contact who never opted out leaves nothing behind; re-created it is active', async () => {
    const email = `kept-${randomUUID().slice(0, 8)}@example.com`;
    const created = await post(na, { email, lawfulBasis: 'contract' });
    await sentAndOpened(created.body.id);
    expect((await http('DELETE', `${base()}/${created.body.id}`, { token: na.apiKey })).status).toBe(204);
    expect(await leftoversOf(created.body.id)).toEqual({});
    const hash = await services.platform.tenantKeys.addressHash('NA', na.tenant.id, email);
    expect(
      await adminQuery('NA', `SELECT 1 FROM suppressions WHERE tenant_id = $1 AND (email = $2 OR address_hash = $3)`, [
        na.tenant.id,
        email,
        hash,
      ]),
    ).toEqual([]);
    expect((await post(na, { email, lawfulBasis: 'contract' })).body.status).toBe('active');
  });

  it('R-D2: PATCH to the address of an erased person who had opted out lands the contact suppressed', async () => {
    const erasedEmail = `was-${randomUUID().slice(0, 8)}@example.com`;
    const gone = await post(na, { email: erasedEmail, lawfulBasis: 'contract' });
    await optOut(gone.body.id);
    expect((await http('DELETE', `${base()}/${gone.body.id}`, { token: na.apiKey })).status).toBe(204);

    const other = await post(na, { email: `other-${randomUUID().slice(0, 8)}@example.com`, lawfulBasis: 'contract' });
    expect(other.body.status).toBe('active');
    const renamed = await http('PATCH', `${base()}/${other.body.id}`, {
      token: na.apiKey,
      body: { email: erasedEmail.toUpperCase() },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: other.body.id, email: erasedEmail, status: 'suppressed' });
    // The other services learn it through contact.changed v2.
    await waitFor(
      () =>
        tap
          .of('contact.changed', na.tenant.id)
          .some(
            (e) =>
              (e.data as ContactChangedV2).contactId === other.body.id &&
              (e.data as ContactChangedV2).status === 'suppressed',
          ),
      { what: 'contact.changed v2 with status suppressed', timeoutMs: 30000 },
    );
  });
});
