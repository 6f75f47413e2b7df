import { simpleParser } from 'mailparser';
import { DevMailSink } from '@missive/dev-mail';
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
import { LinkTokenSigner } from '@missive/tokens';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../../unsubscribe/src/service';
import { UnconfirmedSweep } from '../src/opt-in/unconfirmed-sweep';
import { contactsService } from '../src/service';
import { importFile } from './import-helpers';

const CONSENT = { givenAt: '2026-12-01T10:00:00Z', source: 'signup-form' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * R-C8 double opt-in across the real services: contacts (pending, the confirmation's consent record, the sweep),
 * campaigns (the one confirmation message through the SMTP pool, the send gate), unsubscribe (the `/c/` page), over
 * Kafka, PostgreSQL, Redis and a real SMTP sink.
 */
describe('double opt-in (R-C8)', () => {
  const sink = new DevMailSink({ port: 0 });
  let services: TestServices;
  let na: TestTenant;

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, contactsService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      PUBLIC_BASE_URL: 'http://links.test:3000',
    });
    na = await createTestTenant(services, { region: 'NA' });
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  const api = (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: na.apiKey, body });
  const messagesTo = (address: string) => sink.list().filter((m) => m.to.includes(address));
  const contactStatus = async (id: string) => (await api('GET', `/v1/contacts/${id}`)).body.status as string;
  const projectedStatus = async (id: string) =>
    (await adminQuery<{ status: string }>('NA', 'SELECT status FROM campaign_contacts WHERE contact_id = $1', [id]))[0]
      ?.status;

  /** The `/c/{token}` path of the one confirmation message sent to `address`. */
  async function confirmationPath(address: string): Promise<string> {
    await waitFor(async () => messagesTo(address).length > 0, { what: 'the confirmation message', timeoutMs: 30000 });
    const mail = await simpleParser(messagesTo(address)[0].raw);
    const link = /http:\/\/links\.test:3000(\/c\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    expect(mail.html).toContain(`http://links.test:3000${link![1]}`);
    return link![1];
  }

  async function sendCampaign(subject: string): Promise<string> {
    const created = await api('POST', '/v1/campaigns', {
      name: subject,
      subject,
      fromEmail: 'news@shop.example',
      html: '<html><body><p>Hello</p></body></html>',
      audience: { lists: ['doi'] },
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the campaign to be sent',
      timeoutMs: 30000,
    });
    return created.body.id as string;
  }

  it('R-C8: pending until confirmed, one confirmation message, GET changes nothing, POST confirms with time, IP and UA; campaigns skip the pending contact', async () => {
    const email = `doi-${Date.now()}@example.com`;
    const created = await api('POST', '/v1/contacts', {
      email,
      lawfulBasis: 'consent',
      consent: CONSENT,
      lists: ['doi'],
      doubleOptIn: true,
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending');
    const id = created.body.id as string;

    // The same contact posted again, with or without the flag: still pending, and no second message.
    const again = await api('POST', '/v1/contacts', {
      email,
      lawfulBasis: 'consent',
      consent: CONSENT,
      lists: ['doi'],
      firstName: 'Ada',
      doubleOptIn: true,
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('pending');

    const path = await confirmationPath(email);
    await waitFor(async () => (await projectedStatus(id)) === 'pending', { what: 'the projection', timeoutMs: 20000 });

    // A campaign sent before the confirmation skips the pending contact at the send gate (R-S2).
    const before = await sendCampaign(`Before ${id}`);
    const [skipped] = await adminQuery<{ state: string; reason: string }>(
      'NA',
      'SELECT state, reason FROM campaign_deliveries WHERE campaign_id = $1 AND contact_id = $2',
      [before, id],
    );
    expect(skipped).toEqual({ state: 'skipped', reason: 'pending' });
    expect(messagesTo(email).filter((m) => m.raw.includes(`Before ${id}`))).toHaveLength(0);

    // GET shows the confirm button and changes nothing.
    const page = await fetch(`${services.publicUrl}${path}`, { headers: { 'accept-language': 'de-DE' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<form method="post" action="${path}">`);
    expect(html).toContain('Abonnement bestätigen');
    expect(await contactStatus(id)).toBe('pending');
    expect(
      await adminQuery('NA', 'SELECT 1 FROM unsubscribe_opt_in_confirmations WHERE contact_id = $1', [id]),
    ).toHaveLength(0);

    // An unsubscribe token of the same contact, or a forged one, confirms nothing: the invalid-link page, 404.
    const signer = new LinkTokenSigner(services.config.linkTokenKeys);
    const unsubscribeToken = signer.mint({
      kind: 'unsubscribe',
      tenantId: na.tenant.id,
      region: 'NA',
      campaignId: null,
      contactId: id,
    });
    for (const bad of [`/c/${unsubscribeToken}`, `${path.slice(0, -2)}AA`, '/c/nope']) {
      const response = await fetch(`${services.publicUrl}${bad}`, {
        method: 'POST',
        headers: FORM,
        body: 'confirm=yes',
      });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('This link is not valid');
    }

    // POST confirms; the contact becomes active through contact.opt-in-confirmed and the contacts service.
    const confirm = () =>
      fetch(`${services.publicUrl}${path}`, {
        method: 'POST',
        headers: { ...FORM, 'user-agent': 'R-C8 test browser/1.0' },
        body: 'confirm=yes',
      });
    const confirmed = await confirm();
    expect(confirmed.status).toBe(200);
    await waitFor(async () => (await contactStatus(id)) === 'active', {
      what: 'the contact to be active',
      timeoutMs: 30000,
    });
    const history = await adminQuery<{ given_at: Date; ip: string; user_agent: string; source: string }>(
      'NA',
      `SELECT given_at, ip, user_agent, source FROM consents WHERE contact_id = $1 AND kind = 'confirmation'`,
      [id],
    );
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ ip: '127.0.0.0', user_agent: 'R-C8 test browser/1.0', source: 'double-opt-in' });
    expect(Date.now() - new Date(history[0].given_at).getTime()).toBeLessThan(60000);

    // A second POST: 200, nothing changes.
    expect((await confirm()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      await adminQuery('NA', `SELECT 1 FROM consents WHERE contact_id = $1 AND kind = 'confirmation'`, [id]),
    ).toHaveLength(1);

    // A campaign sent after the confirmation reaches the contact.
    await waitFor(async () => (await projectedStatus(id)) === 'active', { what: 'the projection', timeoutMs: 20000 });
    const after = await sendCampaign(`After ${id}`);
    await waitFor(async () => messagesTo(email).some((m) => m.raw.includes(`After ${id}`)), {
      what: 'the campaign message',
      timeoutMs: 20000,
    });
    const [sent] = await adminQuery<{ state: string }>(
      'NA',
      'SELECT state FROM campaign_deliveries WHERE campaign_id = $1 AND contact_id = $2',
      [after, id],
    );
    expect(sent.state).toBe('sent');
    // Exactly one confirmation message, ever.
    expect(messagesTo(email).filter((m) => m.raw.includes('/c/'))).toHaveLength(1);
  }, 180000);

  it('R-C8: an existing active contact is not demoted by doubleOptIn', async () => {
    const email = `doi-active-${Date.now()}@example.com`;
    expect((await api('POST', '/v1/contacts', { email, lawfulBasis: 'consent', consent: CONSENT })).body.status).toBe(
      'active',
    );
    const again = await api('POST', '/v1/contacts', {
      email,
      lawfulBasis: 'consent',
      consent: CONSENT,
      firstName: 'B',
      doubleOptIn: true,
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('active');
    expect(
      (await api('POST', '/v1/contacts', { email, lawfulBasis: 'consent', consent: CONSENT, doubleOptIn: 'maybe' }))
        .status,
    ).toBe(400);
  });

  it('R-C8: an import with the doubleOptIn column makes pending contacts that get their confirmation message', async () => {
    const stamp = Date.now();
    const report = await importFile(
      services,
      na,
      `email,lawfulBasis,lists,doubleOptIn\nimp-a-${stamp}@example.com,contract,doi,true\nimp-b-${stamp}@example.com,contract,doi,false\n`,
    );
    expect(report).toMatchObject({ status: 'done', created: 2, rejected: 0 });
    const rows = await adminQuery<{ email: string; status: string }>(
      'NA',
      'SELECT email, status FROM contacts WHERE tenant_id = $1 AND email = ANY($2) ORDER BY email',
      [na.tenant.id, [`imp-a-${stamp}@example.com`, `imp-b-${stamp}@example.com`]],
    );
    expect(rows.map((r) => r.status)).toEqual(['pending', 'active']);
    await confirmationPath(`imp-a-${stamp}@example.com`);
    expect(messagesTo(`imp-b-${stamp}@example.com`)).toHaveLength(0);
  }, 120000);

  it('R-C8: unconfirmed contacts are erased after the tenant days (30 by default) through the erasure path', async () => {
    const stamp = Date.now();
    const old = (
      await api('POST', '/v1/contacts', {
        email: `old-${stamp}@example.com`,
        lawfulBasis: 'contract',
        doubleOptIn: true,
      })
    ).body.id as string;
    const fresh = (
      await api('POST', '/v1/contacts', {
        email: `fresh-${stamp}@example.com`,
        lawfulBasis: 'contract',
        doubleOptIn: true,
      })
    ).body.id as string;
    const activeOld = (
      await api('POST', '/v1/contacts', { email: `active-${stamp}@example.com`, lawfulBasis: 'contract' })
    ).body.id as string;
    await waitFor(async () => (await projectedStatus(old)) === 'pending', { what: 'the projection', timeoutMs: 20000 });
    await adminQuery('NA', `UPDATE contacts SET created_at = now() - interval '31 days' WHERE id = ANY($1)`, [
      [old, activeOld],
    ]);
    await adminQuery('NA', `UPDATE contacts SET created_at = now() - interval '8 days' WHERE id = $1`, [fresh]);

    const sweep = services.publicApp!.get(UnconfirmedSweep);
    await sweep.sweep();
    expect((await api('GET', `/v1/contacts/${old}`)).status).toBe(404);
    expect(await contactStatus(fresh)).toBe('pending');
    expect(await contactStatus(activeOld)).toBe('active');
    // The erasure's event reaches the other stores: the campaigns projection drops the contact.
    await waitFor(async () => (await projectedStatus(old)) === undefined, {
      what: 'the projection to drop it',
      timeoutMs: 20000,
    });

    // A tenant setting of 7 days erases the 8-day-old one too.
    await adminQuery('NA', `INSERT INTO tenant_opt_in_settings (tenant_id, unconfirmed_days) VALUES ($1, 7)`, [
      na.tenant.id,
    ]);
    await sweep.sweep();
    expect((await api('GET', `/v1/contacts/${fresh}`)).status).toBe(404);
  }, 60000);
});
