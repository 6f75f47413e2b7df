import { randomUUID } from 'node:crypto';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type ScratchDatabases,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { importFile } from '../../contacts/test/import-helpers';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { campaignsService } from '../src/service';
import { ScriptedRelay } from './scripted-relay';

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

interface Contact {
  id: string;
  email: string;
  status: string;
  firstName: string | null;
}

/**
 * R-S5, R-S8 across the real services: the relay's 550 5.1.1 at RCPT goes out as `delivery.recorded` through the
 * outbox; the contacts service, the one owner of `bounced`, marks the contact and suppresses the address, and its
 * `contact.changed` reaches the send gate's projection. No upsert, PATCH or import makes the address mailable again;
 * a resubscribe with a new consent record does.
 */
describe('R-S8: the contacts service owns bounced, from the relay to every send gate', () => {
  const relay = new ScriptedRelay();
  let scratch: ScratchDatabases;
  let db: { url: string };
  let services: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    await relay.start();
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    services = await startTestServices([supportService, contactsService, campaignsService], {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: relay.url(),
    });
    t = await createTestTenant(services, { region: 'NA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await relay.stop();
    await scratch?.drop();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies of several shapes, read as JSON
  const api = <T = any>(method: string, path: string, body?: unknown) =>
    http<T>(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
  const projection = async (id: string) =>
    (
      await adminQuery<{ status: string }>(
        db,
        'SELECT status FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2',
        [t.tenant.id, id],
      )
    )[0]?.status;

  async function contacts(list: string, emails: string[]): Promise<Contact[]> {
    const created: Contact[] = [];
    for (const email of emails) {
      const res = await api<Contact>('POST', '/v1/contacts', {
        email,
        lawfulBasis: 'consent',
        consent: CONSENT,
        lists: [list],
      });
      expect(res.status).toBe(201);
      created.push(res.body);
    }
    await waitFor(async () => (await Promise.all(created.map((c) => projection(c.id)))).every((s) => s === 'active'), {
      what: 'the campaigns projection to hold the contacts',
      timeoutMs: 20000,
    });
    return created;
  }

  async function sendAndFinish(list: string): Promise<string> {
    const created = await api('POST', '/v1/campaigns', {
      name: list,
      subject: 's',
      fromEmail: 'news@shop.example',
      html: '<p>x</p>',
      audience: { lists: [list] },
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the campaign to be sent',
      timeoutMs: 30000,
      intervalMs: 50,
    });
    return created.body.id as string;
  }

  it('R-S8: 550 5.1.1 at RCPT → the contact is bounced and suppressed within ~1 s; no upsert, PATCH or import revives it; resubscribe does', async () => {
    const list = `hard-${Date.now()}`;
    const bouncing = `${list}-gone@example.com`;
    const [gone, kept] = await contacts(list, [bouncing, `${list}-kept@example.com`]);
    relay.script = {
      rcpt: (address) =>
        address === bouncing ? '550 5.1.1 <gone>: Recipient address rejected: User unknown' : undefined,
    };

    const first = await sendAndFinish(list);
    // The ledger's record of the bounce, and from there the owner and the send gate's projection.
    const [recorded] = await adminQuery<{ at: Date; reason: string }>(
      db,
      `SELECT updated_at AS at, reason FROM campaign_deliveries WHERE campaign_id = $1 AND contact_id = $2 AND state = 'bounced'`,
      [first, gone.id],
    );
    expect(recorded.reason).toBe('hard bounce: 550 5.1.1 <gone>: Recipient address rejected: User unknown');
    await waitFor(async () => (await api<Contact>('GET', `/v1/contacts/${gone.id}`)).body.status === 'bounced', {
      what: 'GET /v1/contacts/{id} to show bounced',
      timeoutMs: 10000,
      intervalMs: 20,
    });
    const contactAfterMs = Date.now() - recorded.at.getTime();
    await waitFor(async () => (await projection(gone.id)) === 'bounced', {
      what: "the send gate's projection to refuse the address",
      timeoutMs: 10000,
      intervalMs: 20,
    });
    const gateAfterMs = Date.now() - recorded.at.getTime();
    console.log(`bounce recorded → contact bounced after ${contactAfterMs} ms, send gate after ${gateAfterMs} ms`);
    expect(contactAfterMs).toBeLessThan(1500);
    expect(gateAfterMs).toBeLessThan(2000);
    expect((await api<Contact>('GET', `/v1/contacts/${kept.id}`)).body.status).toBe('active');
    expect((await api('GET', `/v1/campaigns/${first}/report`)).body).toMatchObject({
      sent: 1,
      bounced: 1,
      complained: 0,
      failed: 0,
    });
    const suppressions = (await api<{ items: { email: string; reason: string }[] }>('GET', '/v1/suppressions')).body;
    expect(suppressions.items).toEqual([expect.objectContaining({ email: bouncing, reason: 'bounced' })]);

    // Sticky: an upsert with a new consent, a PATCH, an import: still bounced, in the contact and the projection.
    const upserted = await api<Contact>('POST', '/v1/contacts', {
      email: bouncing,
      firstName: 'Again',
      lawfulBasis: 'consent',
      consent: { givenAt: '2026-01-02T10:00:00Z', source: 'import' },
      lists: [list],
    });
    expect(upserted.status).toBe(200);
    expect(upserted.body).toMatchObject({ status: 'bounced', firstName: 'Again' });
    const patched = await api<Contact>('PATCH', `/v1/contacts/${gone.id}`, { firstName: 'Patched' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: 'bounced', firstName: 'Patched' });
    const report = await importFile(
      services,
      t,
      [
        'email,firstName,lawfulBasis,consent.givenAt,consent.source,lists',
        `${bouncing},Imported,consent,2026-02-01T10:00:00Z,import,${list}`,
      ].join('\n'),
    );
    expect(report).toMatchObject({ status: 'done', rejected: 0 });
    const afterImport = (await api<Contact>('GET', `/v1/contacts/${gone.id}`)).body;
    expect(afterImport).toMatchObject({ status: 'bounced', firstName: 'Imported' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await projection(gone.id)).toBe('bounced');

    // The next campaign skips the address at the gate; the relay hears nothing more for it.
    const asked = relay.rcptAsked.get(bouncing);
    const second = await sendAndFinish(list);
    expect((await api('GET', `/v1/campaigns/${second}/report`)).body).toMatchObject({
      sent: 1,
      bounced: 0,
      skipped: { bounced: 1 },
    });
    expect(relay.rcptAsked.get(bouncing)).toBe(asked);

    // Only a resubscribe with a new consent record makes it mailable again.
    relay.script = {};
    const back = await api<Contact>('POST', `/v1/contacts/${gone.id}/resubscribe`, {
      consent: { givenAt: '2026-03-01T10:00:00Z', source: 'preference-centre' },
    });
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('active');
    expect((await api<{ items: unknown[] }>('GET', '/v1/suppressions')).body.items).toEqual([]);
    await waitFor(async () => (await projection(gone.id)) === 'active', {
      what: 'the projection to follow',
      timeoutMs: 10000,
    });
    const third = await sendAndFinish(list);
    expect((await api('GET', `/v1/campaigns/${third}/report`)).body).toMatchObject({ sent: 2, bounced: 0 });
    expect(relay.to(bouncing)).toHaveLength(1);
  }, 90000);

  it('R-S8: soft bounces are counted; the third within 30 days bounces and suppresses the address', async () => {
    const list = `soft-${Date.now()}`;
    const full = `${list}-full@example.com`;
    const [contact] = await contacts(list, [full]);
    relay.script = { rcpt: (address) => (address === full ? '552 5.2.2 Mailbox full' : undefined) };
    for (let i = 1; i <= 3; i += 1) {
      const id = await sendAndFinish(list);
      expect((await api('GET', `/v1/campaigns/${id}/report`)).body).toMatchObject({ bounced: 1 });
      if (i < 3) {
        // Give the owner the time to count it: still mailable.
        await waitFor(
          async () =>
            (
              await adminQuery<{ n: number }>(db, 'SELECT cardinality(soft_bounces) AS n FROM contacts WHERE id = $1', [
                contact.id,
              ])
            )[0].n === i,
          { what: `soft bounce ${i} to be counted`, timeoutMs: 10000 },
        );
        expect((await api<Contact>('GET', `/v1/contacts/${contact.id}`)).body.status).toBe('active');
      }
    }
    await waitFor(async () => (await api<Contact>('GET', `/v1/contacts/${contact.id}`)).body.status === 'bounced', {
      what: 'the third soft bounce to bounce the contact',
      timeoutMs: 10000,
    });
    const suppressions = (await api<{ items: { email: string; reason: string }[] }>('GET', '/v1/suppressions')).body;
    expect(suppressions.items).toContainEqual(expect.objectContaining({ email: full, reason: 'bounced' }));

    // A resubscribe starts the count again: one more soft bounce does not bounce the contact.
    const back = await api<Contact>('POST', `/v1/contacts/${contact.id}/resubscribe`, {
      consent: { givenAt: '2026-03-01T10:00:00Z', source: 'preference-centre' },
    });
    expect(back.body.status).toBe('active');
    await waitFor(async () => (await projection(contact.id)) === 'active', { what: 'the projection to follow' });
    await sendAndFinish(list);
    await waitFor(
      async () =>
        (
          await adminQuery<{ n: number }>(db, 'SELECT cardinality(soft_bounces) AS n FROM contacts WHERE id = $1', [
            contact.id,
          ])
        )[0].n === 1,
      { what: 'the soft bounce after the resubscribe to be counted', timeoutMs: 10000 },
    );
    expect((await api<Contact>('GET', `/v1/contacts/${contact.id}`)).body.status).toBe('active');
    relay.script = {};
  }, 90000);
});
