import nodemailer from 'nodemailer';
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
import { seedContacts, waitForUnsubscribeProjection } from '../../campaigns/test/campaign-helpers';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { InboundSmtpLifecycle } from '../src/inbound/inbound-smtp.lifecycle';
import { unsubscribeService } from '../src/service';

describe('unsubscribe: page, RFC 8058 one-click, inbound mailto, honoured by campaigns already sending (R-U1..U3)', () => {
  const sink = new DevMailSink({ port: 0, answerDelayMs: 40, keep: 10000 });
  let services: TestServices;
  let t: TestTenant;
  let other: TestTenant;
  let signer: LinkTokenSigner;
  const token = (contactId: string, kind: 'unsubscribe' | 'open' = 'unsubscribe') =>
    signer.mint({ kind, tenantId: t.tenant.id, region: t.tenant.region, campaignId: null, contactId });
  const projectionStatus = async (contactId: string) =>
    (
      await adminQuery<{ status: string }>('NA', 'SELECT status FROM campaign_contacts WHERE contact_id = $1', [
        contactId,
      ])
    )[0]?.status;
  const optOuts = async (contactId: string) =>
    (
      await adminQuery<{ n: number }>(
        'NA',
        'SELECT count(*)::int AS n FROM unsubscribe_opt_outs WHERE contact_id = $1',
        [contactId],
      )
    )[0].n;

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      INBOUND_SMTP_PORT: '0',
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
    t = await createTestTenant(services, { region: 'NA', name: 'Acme Shop' });
    other = await createTestTenant(services, { region: 'NA', name: 'Other Shop' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  it('R-U1: GET shows the masked address and the tenant’s name, and changes nothing', async () => {
    const [id] = await seedContacts(services, t.tenant, [{ email: `ada.lovelace-${Date.now()}@example.com` }]);
    await waitFor(
      async () =>
        (await adminQuery('NA', 'SELECT 1 FROM unsubscribe_contacts WHERE contact_id = $1', [id])).length === 1,
      {
        what: 'the unsubscribe projection',
      },
    );
    const page = await http('GET', `${services.publicUrl}/u/${token(id)}`, {
      headers: { 'accept-language': 'fr;q=0.9, en;q=0.5' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(page.text).toContain('a***@e***.com');
    expect(page.text).toContain('Acme Shop');
    expect(page.text).toContain('Me désabonner');
    expect(page.text).not.toContain('lovelace');
    expect(await optOuts(id)).toBe(0);
    expect(await projectionStatus(id)).toBe('active');
  });

  it('R-U2: the exact RFC 8058 one-click body, no cookies → 200, stored, and every sender sees it; repeating is harmless', async () => {
    const [id] = await seedContacts(services, t.tenant, [{ email: `one-click-${Date.now()}@example.com` }]);
    await waitForUnsubscribeProjection('NA', [id]);
    const post = () =>
      http('POST', `${services.publicUrl}/u/${token(id)}`, {
        raw: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const answered = await post();
    expect(answered.status).toBe(200);
    const at = Date.now();
    expect(await optOuts(id)).toBe(1);
    // Every sender sees it: the campaigns projection follows. How fast (R-U2: < 1 s) is measured by the
    // unsubscribe-propagation bench on a quiet machine, not here, where other test files share the outbox relay
    // and the 2 cores; the wait is printed so a slow run shows.
    await waitFor(async () => (await projectionStatus(id)) === 'unsubscribed', {
      what: 'the campaigns projection',
      timeoutMs: 10000,
      intervalMs: 10,
    });
    console.log(`R-U2: the campaigns projection saw the unsubscribe ${Date.now() - at} ms after the 200`);
    expect((await post()).status).toBe(200);
    expect(await optOuts(id)).toBe(1);
  });

  it('R-U1, R-U2: a forged or other-kind token → 4xx and nothing changes; another tenant’s token touches only that tenant', async () => {
    const [id] = await seedContacts(services, t.tenant, [{ email: `forged-${Date.now()}@example.com` }]);
    const good = token(id);
    const forged = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
    const foreign = new LinkTokenSigner([{ kid: 'evil', secret: 'x'.repeat(40) }]).mint({
      kind: 'unsubscribe',
      tenantId: t.tenant.id,
      region: 'NA',
      campaignId: null,
      contactId: id,
    });
    // Validly signed, but naming another tenant: that tenant has no such contact (yet), so its opt-out waits there.
    const otherTenant = signer.mint({
      kind: 'unsubscribe',
      tenantId: other.tenant.id,
      region: 'NA',
      campaignId: null,
      contactId: id,
    });
    for (const bad of [forged, foreign, token(id, 'open'), 'garbage']) {
      const page = await http('GET', `${services.publicUrl}/u/${bad}`);
      expect(page.status).toBe(404);
      expect(page.text).toContain('This link is not valid');
      const post = await http('POST', `${services.publicUrl}/u/${bad}`, {
        raw: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(post.status).toBe(404);
    }
    expect(await optOuts(id)).toBe(0);
    const elsewhere = await http('POST', `${services.publicUrl}/u/${otherTenant}`, {
      raw: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(elsewhere.status).toBe(200);
    expect(
      await adminQuery('NA', 'SELECT tenant_id, awaiting_contact FROM unsubscribe_opt_outs WHERE contact_id = $1', [
        id,
      ]),
    ).toEqual([{ tenant_id: other.tenant.id, awaiting_contact: true }]);
    expect(await projectionStatus(id)).toBe('active');
  });

  it('R-U3: mail to unsubscribe+{token}@… over real SMTP opts out', async () => {
    const [id] = await seedContacts(services, t.tenant, [{ email: `mailto-${Date.now()}@example.com` }]);
    await waitFor(
      async () =>
        (await adminQuery('NA', 'SELECT 1 FROM unsubscribe_contacts WHERE contact_id = $1', [id])).length === 1,
      {
        what: 'the unsubscribe projection',
      },
    );
    const port = services.publicApp!.get(InboundSmtpLifecycle).port!;
    await nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true }).sendMail({
      from: 'recipient@example.com',
      to: `unsubscribe+${token(id)}@links.example`,
      subject: 'unsubscribe',
      text: 'stop',
    });
    expect(await optOuts(id)).toBe(1);
    await waitFor(async () => (await projectionStatus(id)) === 'unsubscribed', { what: 'the campaigns projection' });
  });

  it('R-U4: the preference page leaves a single list; GET changes nothing; the campaigns projection follows', async () => {
    const [id] = await seedContacts(services, t.tenant, [
      { email: `prefs-${Date.now()}@example.com`, lists: ['news', 'promo'] },
    ]);
    await waitFor(
      async () =>
        (await adminQuery('NA', 'SELECT 1 FROM unsubscribe_contacts WHERE contact_id = $1', [id])).length === 1,
      {
        what: 'the unsubscribe projection',
      },
    );
    const page = await http('GET', `${services.publicUrl}/u/${token(id)}/preferences`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="news"');
    expect(page.text).toContain('value="promo"');
    expect(await optOuts(id)).toBe(0);
    const left = await http('POST', `${services.publicUrl}/u/${token(id)}/preferences`, {
      raw: 'leave=promo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(left.status).toBe(200);
    await waitFor(
      async () =>
        (
          await adminQuery<{ lists: string[] }>('NA', 'SELECT lists FROM campaign_contacts WHERE contact_id = $1', [id])
        )[0].lists.join() === 'news',
      { what: 'the campaigns projection to drop the list' },
    );
    expect(await projectionStatus(id)).toBe('active');
  });

  it('R-U2, R-S2: a campaign already sending sends nothing to the address after the POST’s 200', async () => {
    const stamp = Date.now();
    const emails = Array.from({ length: 120 }, (_, i) => `run-${stamp}-${String(i).padStart(3, '0')}@example.com`);
    const ids = await seedContacts(
      services,
      t.tenant,
      emails.map((email) => ({ email, lists: [`live-${stamp}`] })),
    );
    // Batches go in contact-id order: the largest id is among the last to be sent.
    await waitForUnsubscribeProjection('NA', ids);
    const target = [...ids].sort().at(-1)!;
    const targetEmail = emails[ids.indexOf(target)];
    const api = (method: string, path: string, body?: unknown) =>
      http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
    const created = await api('POST', '/v1/campaigns', {
      name: 'live',
      subject: 's',
      fromEmail: 'a@shop.example',
      html: '<p>x</p>',
      audience: { lists: [`live-${stamp}`] },
    });
    await api('POST', `/v1/campaigns/${created.body.id}/send`);
    await waitFor(() => sink.list().some((m) => m.to[0]?.startsWith(`run-${stamp}`)), {
      what: 'sending to begin',
      intervalMs: 10,
    });

    const answered = await http('POST', `${services.publicUrl}/u/${token(target)}`, {
      raw: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answered.status).toBe(200);
    const answeredAt = new Date().toISOString();
    await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the campaign',
      timeoutMs: 60000,
    });
    const toTarget = sink.list().filter((m) => m.to.includes(targetEmail));
    expect(toTarget.filter((m) => m.receivedAt > answeredAt)).toEqual([]);
    expect(toTarget).toEqual([]);
    expect((await api('GET', `/v1/campaigns/${created.body.id}/report`)).body.skipped).toEqual({ unsubscribed: 1 });
  }, 90000);
});
