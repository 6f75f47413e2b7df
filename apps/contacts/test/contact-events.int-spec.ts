import { UNSUBSCRIBE_RECORDED, type ContactChangedV2, type UnsubscribeRecordedV1 } from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
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
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';
import { EventTap } from './event-tap';

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

describe('contact.changed v2 and unsubscribe.recorded (R-X5, R-T2, R-P2, R-U2, R-U4, R-U5)', () => {
  let services: TestServices;
  let na: TestTenant;
  let tap: EventTap;

  beforeAll(async () => {
    services = await startTestServices([supportService, contactsService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    na = await createTestTenant(services, { region: 'NA' });
    tap = new EventTap(services.config, new Set([na.tenant.id]));
    await tap.start('NA', ['contact.changed', 'suppression.changed']);
  });

  afterAll(async () => {
    await tap?.stop();
    await services?.stop();
  });

  const projected = async (contactId: string) =>
    (
      await adminQuery<{ email: string; status: string; lists: string[]; consent_withdrawn: boolean }>(
        'NA',
        `SELECT email, status, lists, consent_withdrawn FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2`,
        [na.tenant.id, contactId],
      )
    )[0];

  /** Publishes `unsubscribe.recorded` through the outbox as the unsubscribe service does. */
  const unsubscribe = (contactId: string, lists: string[] | null) => {
    const data: UnsubscribeRecordedV1 = { contactId, campaignId: null, lists, source: 'one-click' };
    return services.platform.databases
      .forRegion('NA')
      .transaction((m) =>
        appendToOutbox(m, [{ type: UNSUBSCRIBE_RECORDED, region: 'NA', tenantId: na.tenant.id, key: contactId, data }]),
      );
  };

  it('R-X5, R-T2, R-P2: a contact created through the API reaches the campaigns projection; no address travels', async () => {
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: {
        email: 'Proj.One@Example.com',
        lawfulBasis: 'consent',
        consent: CONSENT,
        lists: ['news', 'offers'],
        firstName: 'Pia',
      },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;

    // The campaigns service opened the sealed personal fields with the tenant's key. Its fresh consumer group
    // first replays the retained contact.changed history (import tests publish one event per contact).
    await waitFor(async () => (await projected(id)) !== undefined, {
      what: 'the campaigns projection',
      timeoutMs: 100000,
    });
    expect(await projected(id)).toMatchObject({
      email: 'proj.one@example.com',
      status: 'active',
      lists: ['news', 'offers'],
      consent_withdrawn: false,
    });

    const [event] = await tap.waitFor('contact.changed', na.tenant.id);
    expect(event.version).toBe(2);
    expect(event.data).toMatchObject({ contactId: id, status: 'active', lawfulBasis: 'consent', objected: false });
    expect(typeof (event.data as ContactChangedV2).personal).toBe('string');

    // R-C2: withdrawing the consent (the record removed, basis changed) travels as consentWithdrawn.
    const patched = await http('PATCH', `${services.publicUrl}/v1/contacts/${id}`, {
      token: na.apiKey,
      body: { consent: null, lawfulBasis: 'legitimate_interests' },
    });
    expect(patched.status).toBe(200);
    await waitFor(async () => (await projected(id))?.consent_withdrawn === true, {
      what: 'the withdrawal in the projection',
      timeoutMs: 20000,
    });

    for (const e of tap.of('contact.changed', na.tenant.id)) expect(e.raw.toLowerCase()).not.toContain('proj.one');
    const outbox = await adminQuery<{ n: number }>(
      'NA',
      `SELECT count(*)::int AS n FROM outbox WHERE payload::text ILIKE '%proj.one%'`,
    );
    expect(outbox[0].n).toBe(0);
  }, 150000);

  it('R-U4, R-U2, R-U5: unsubscribe.recorded leaves lists, then unsubscribes and suppresses the address', async () => {
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: { email: 'leaver@example.com', lawfulBasis: 'contract', lists: ['news', 'offers', 'tips'] },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitFor(async () => (await projected(id)) !== undefined, {
      what: 'the campaigns projection',
      timeoutMs: 20000,
    });

    // R-U4: leaving some lists.
    await unsubscribe(id, ['offers']);
    await waitFor(
      async () =>
        (await http('GET', `${services.publicUrl}/v1/contacts/${id}`, { token: na.apiKey })).body.lists?.join() ===
        'news,tips',
      { what: 'the contact to leave the list', timeoutMs: 20000 },
    );
    await waitFor(async () => (await projected(id))?.lists.join() === 'news,tips', {
      what: 'the list change in the campaigns projection',
      timeoutMs: 20000,
    });

    // R-U2: everything; R-U5: what the unsubscribe decided shows in GET /v1/suppressions.
    await unsubscribe(id, null);
    await waitFor(
      async () =>
        (await http('GET', `${services.publicUrl}/v1/contacts/${id}`, { token: na.apiKey })).body.status ===
        'unsubscribed',
      { what: 'the contact to be unsubscribed', timeoutMs: 20000 },
    );
    const suppressions = await http('GET', `${services.publicUrl}/v1/suppressions`, { token: na.apiKey });
    expect(suppressions.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ email: 'leaver@example.com', reason: 'unsubscribed' })]),
    );
    await waitFor(async () => (await projected(id))?.status === 'unsubscribed', {
      what: 'the unsubscribe in the campaigns projection',
      timeoutMs: 20000,
    });

    // The resulting contact.changed v2 carries the new status; no event carries the address in clear.
    await waitFor(
      () =>
        tap
          .of('contact.changed', na.tenant.id)
          .some(
            (e) =>
              (e.data as ContactChangedV2).contactId === id && (e.data as ContactChangedV2).status === 'unsubscribed',
          ),
      { what: 'contact.changed v2 with status unsubscribed', timeoutMs: 20000 },
    );
    const [added] = (await tap.waitFor('suppression.changed', na.tenant.id)).filter(
      (e) => (e.data as { contactId: string }).contactId === id,
    );
    expect(added.data).toEqual({ action: 'added', contactId: id });
    for (const e of tap.events) expect(e.raw).not.toContain('leaver@example.com');

    // A repeated unsubscribe (a second click makes a new event) changes nothing more: once the contacts service has
    // processed it, it published no second suppression or status change for the person.
    const eventsOfContact = () =>
      tap.events.filter(
        (e) =>
          (e.type === 'suppression.changed' || e.type === 'contact.changed') &&
          (e.data as { contactId?: string }).contactId === id,
      ).length;
    const before = eventsOfContact();
    const [again] = await unsubscribe(id, null);
    await waitFor(
      async () =>
        (
          await adminQuery('NA', `SELECT 1 FROM processed_events WHERE consumer = 'contacts' AND event_id = $1`, [
            again.id,
          ])
        ).length > 0,
      { what: 'the contacts service to process the repeated unsubscribe', timeoutMs: 20000 },
    );
    // Whatever it appended to the outbox in that transaction reaches the tap within the relay's and tap's lag.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(eventsOfContact()).toBe(before);
  });
});
