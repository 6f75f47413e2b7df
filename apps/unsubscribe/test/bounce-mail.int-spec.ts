import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { DeliveryRecordedV1, Region } from '@missive/contracts';
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
import {
  bounceAddress,
  expectKind,
  feedbackMessageId,
  LinkTokenSigner,
  tokenFromBounceAddress,
  tokenFromMessageId,
} from '@missive/tokens';
import { EventTap } from '../../contacts/test/event-tap';
import { campaignsService } from '../../campaigns/src/service';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { InboundSmtpLifecycle } from '../src/inbound/inbound-smtp.lifecycle';
import { unsubscribeService } from '../src/service';
import { arfMessage, deliverReport, dsnMessage, type Original } from './bounce-reports';

interface Sent extends Original {
  contactId: string;
  email: string;
}

interface FeedbackRow {
  outcome: string;
  source: string;
  status: string | null;
  campaign_id: string | null;
}

describe('R-S8: DSNs and ARF reports to the VERP Return-Path of real sent messages, over SMTP', () => {
  const sinks = { NA: new DevMailSink({ port: 0, keep: 1000 }), EEA: new DevMailSink({ port: 0, keep: 1000 }) };
  let services: TestServices;
  let tap: EventTap;
  let eeaTap: EventTap;
  let na: TestTenant;
  let eea: TestTenant;
  let port: number;
  let campaignId: string;
  let eeaCampaignId: string;
  /** The messages the campaign sent, by contact: address, Return-Path and Message-ID as the relay got them. */
  const sent: Sent[] = [];
  let eeaSent: Sent;

  const feedback = (region: Region, contactId: string) =>
    adminQuery<FeedbackRow>(
      region,
      `SELECT outcome, source, status, campaign_id FROM inbound_feedback WHERE contact_id = $1 ORDER BY outcome`,
      [contactId],
    );
  /** What the contacts service, which consumes delivery.recorded, now says of the contact. */
  const statusBecomes = (t: TestTenant, contactId: string, status: string) =>
    waitFor(
      async () =>
        (await http('GET', `${services.publicUrl}/v1/contacts/${contactId}`, { token: t.apiKey })).body.status ===
        status,
      { what: `the contact to be ${status}`, timeoutMs: 20000 },
    );
  const events = (t: EventTap, tenant: TestTenant, contactId: string) =>
    t.of('delivery.recorded', tenant.tenant.id).filter((e) => (e.data as DeliveryRecordedV1).contactId === contactId);

  /** Contacts through the public API, a campaign to them through the real send worker and relay. */
  async function sendCampaign(t: TestTenant, emails: string[]): Promise<{ campaignId: string; sent: Sent[] }> {
    const list = `bounces-${Date.now()}`;
    const ids: string[] = [];
    for (const email of emails) {
      const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
        token: t.apiKey,
        body: { email, lawfulBasis: 'legitimate_interests', lists: [list] },
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const region = t.tenant.region;
    await waitFor(
      async () =>
        (
          await adminQuery<{ n: number }>(
            region,
            'SELECT count(*)::int AS n FROM campaign_contacts WHERE contact_id = ANY($1)',
            [ids],
          )
        )[0].n === ids.length,
      { what: 'the campaigns projection', timeoutMs: 30000 },
    );
    const api = (method: string, path: string, body?: unknown) =>
      http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
    const created = await api('POST', '/v1/campaigns', {
      name: 'Sale',
      subject: 'Our sale',
      fromEmail: 'news@shop.example',
      html: '<p>Sale</p>',
      audience: { lists: [list] },
    });
    expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the campaign to be sent',
      timeoutMs: 30000,
    });
    const messages: Sent[] = [];
    for (const [i, email] of emails.entries()) {
      const [mail] = sinks[region].list().filter((m) => m.to.includes(email));
      const parsed = await simpleParser(mail.raw);
      messages.push({ contactId: ids[i], email, returnPath: mail.from!, messageId: parsed.messageId! });
    }
    return { campaignId: created.body.id, sent: messages };
  }

  beforeAll(async () => {
    await Promise.all([sinks.NA.start(), sinks.EEA.start()]);
    services = await startTestServices([supportService, contactsService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL_NA: `smtp://127.0.0.1:${sinks.NA.port}`,
      SMTP_URL_EEA: `smtp://127.0.0.1:${sinks.EEA.port}`,
      INBOUND_SMTP_PORT: '0',
      BOUNCE_DOMAIN: 'bounces.shop.test',
    });
    port = services.publicApp!.get(InboundSmtpLifecycle).port!;
    na = await createTestTenant(services, { region: 'NA' });
    eea = await createTestTenant(services, { region: 'EEA' });
    tap = new EventTap(services.config, new Set([na.tenant.id, eea.tenant.id]));
    eeaTap = new EventTap(services.config, new Set([na.tenant.id, eea.tenant.id]));
    await Promise.all([tap.start('NA', ['delivery.recorded']), eeaTap.start('EEA', ['delivery.recorded'])]);
    const stamp = Date.now();
    const naRun = await sendCampaign(
      na,
      Array.from({ length: 7 }, (_, i) => `bounce-${i}-${stamp}@dest.example`),
    );
    campaignId = naRun.campaignId;
    sent.push(...naRun.sent);
    const eeaRun = await sendCampaign(eea, [`eea-${stamp}@dest.example`]);
    eeaCampaignId = eeaRun.campaignId;
    eeaSent = eeaRun.sent[0];
  }, 120000);

  afterAll(async () => {
    await tap?.stop();
    await eeaTap?.stop();
    await services?.stop();
    await Promise.all([sinks.NA.stop(), sinks.EEA.stop()]);
  });

  it('R-S8: every message goes out from bounce+{signed token}@BOUNCE_DOMAIN, a local part of at most 64 octets (RFC 5321 §4.5.3.1.1); its Message-ID carries the full token of the same contact and campaign', () => {
    const signer = new LinkTokenSigner(services.config.linkTokenKeys);
    for (const message of sent) {
      expect(message.returnPath).toMatch(/^bounce\+[A-Za-z0-9_-]+@bounces\.shop\.test$/);
      const local = message.returnPath.slice(0, message.returnPath.lastIndexOf('@'));
      expect(Buffer.byteLength(local, 'utf8')).toBeLessThanOrEqual(64);
      expect(signer.verifyVerp(tokenFromBounceAddress(message.returnPath)!, 'bounce')).toEqual({
        kind: 'bounce',
        tenantId: na.tenant.id,
        contactId: message.contactId,
      });
      expect(expectKind(signer.verify(tokenFromMessageId(message.messageId)!), 'bounce')).toMatchObject({
        tenantId: na.tenant.id,
        contactId: message.contactId,
        campaignId,
      });
      expect(message.returnPath).not.toContain(message.email.split('@')[0]);
    }
  });

  it('R-S8: a DSN that returns no headers still bounces the contact, recorded with no campaign', async () => {
    const target = sent[5];
    const dsn = dsnMessage(target, [{ address: target.email, action: 'failed', status: '5.1.1' }], {
      returnHeaders: false,
    });
    expect(await deliverReport(port, [target.returnPath], dsn)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('NA', target.contactId)).toEqual([
      { outcome: 'hard-bounce', source: 'dsn', status: '5.1.1', campaign_id: null },
    ]);
    await statusBecomes(na, target.contactId, 'bounced');
    await waitFor(() => events(tap, na, target.contactId).length === 1, { what: 'the bounce event' });
    expect(events(tap, na, target.contactId)[0].data).toMatchObject({ campaignId: null, outcome: 'hard-bounce' });
  });

  it('R-S8: a DSN to a Return-Path minted before the compact token (bounce+{link token}) still bounces the contact', async () => {
    const target = sent[6];
    const token = tokenFromMessageId(target.messageId)!;
    const returnPath = bounceAddress(token, 'bounces.shop.test');
    const dsn = dsnMessage({ ...target, returnPath }, [{ address: target.email, action: 'failed', status: '5.1.1' }], {
      returnHeaders: false,
    });
    expect(await deliverReport(port, [returnPath], dsn)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('NA', target.contactId)).toEqual([
      { outcome: 'hard-bounce', source: 'dsn', status: '5.1.1', campaign_id: campaignId },
    ]);
    await statusBecomes(na, target.contactId, 'bounced');
  });

  it('R-S8: a DSN with two recipients (failed 5.1.1, delayed 4.4.1) → a hard and a soft bounce, recorded and published, the contact bounced; replayed → still one of each', async () => {
    const [target] = sent;
    const dsn = dsnMessage(target, [
      { address: target.email, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <x>: user unknown' },
      { address: `alias-${target.email}`, action: 'delayed', status: '4.4.1' },
    ]);
    expect(await deliverReport(port, [target.returnPath], dsn)).toEqual({ rcpt: [250], data: 250 });
    // Committed before the 250.
    expect(await feedback('NA', target.contactId)).toEqual([
      { outcome: 'hard-bounce', source: 'dsn', status: '5.1.1', campaign_id: campaignId },
      { outcome: 'soft-bounce', source: 'dsn', status: '4.4.1', campaign_id: campaignId },
    ]);
    await waitFor(() => events(tap, na, target.contactId).length === 2, { what: 'two delivery.recorded events' });
    const published = events(tap, na, target.contactId);
    expect(
      published
        .map((e) => e.data)
        .sort((a, b) => (a as DeliveryRecordedV1).outcome.localeCompare((b as DeliveryRecordedV1).outcome)),
    ).toEqual([
      expect.objectContaining({
        contactId: target.contactId,
        campaignId,
        outcome: 'hard-bounce',
        source: 'dsn',
        status: '5.1.1',
      }),
      expect.objectContaining({
        contactId: target.contactId,
        campaignId,
        outcome: 'soft-bounce',
        source: 'dsn',
        status: '4.4.1',
      }),
    ]);
    for (const e of published) {
      expect(e.raw).not.toContain('dest.example'); // no address, no body
      expect(Date.parse((e.data as DeliveryRecordedV1).at)).toBeLessThanOrEqual(Date.now());
    }

    await statusBecomes(na, target.contactId, 'bounced');

    // The reporting MTA sends it again (it never saw our 250): nothing new is stored or published.
    expect(await deliverReport(port, [target.returnPath], dsn)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('NA', target.contactId)).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(events(tap, na, target.contactId)).toHaveLength(2);
  });

  it('R-S8: a delayed-only DSN → a soft bounce; the contact stays active', async () => {
    const target = sent[1];
    const dsn = dsnMessage(target, [{ address: target.email, action: 'delayed', status: '4.2.2' }]);
    expect(await deliverReport(port, [target.returnPath], dsn)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('NA', target.contactId)).toEqual([
      { outcome: 'soft-bounce', source: 'dsn', status: '4.2.2', campaign_id: campaignId },
    ]);
    await waitFor(() => events(tap, na, target.contactId).length === 1, { what: 'the soft bounce event' });
    // One soft bounce is counted, not suppressing (3 within 30 days do).
    const contact = await http('GET', `${services.publicUrl}/v1/contacts/${target.contactId}`, { token: na.apiKey });
    expect(contact.body.status).toBe('active');
  });

  it('R-S8: an ARF abuse report → a complaint for the message its returned Message-ID names; the contact complained', async () => {
    // Sent to one message's Return-Path, quoting another message of the tenant: the quoted one is complained of.
    const [, , complained, carrier] = sent;
    const arf = arfMessage({ ...complained, returnPath: carrier.returnPath }, 'abuse', complained.email);
    expect(await deliverReport(port, [carrier.returnPath], arf)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('NA', complained.contactId)).toEqual([
      { outcome: 'complaint', source: 'arf', status: 'abuse', campaign_id: campaignId },
    ]);
    expect(await feedback('NA', carrier.contactId)).toEqual([]);
    await waitFor(() => events(tap, na, complained.contactId).length === 1, { what: 'the complaint event' });
    expect(events(tap, na, complained.contactId)[0].data).toMatchObject({ outcome: 'complaint', source: 'arf' });
    await statusBecomes(na, complained.contactId, 'complained');
  });

  it('R-S8, R-T2: an EEA tenant’s complaint is stored and published in the EEA region only', async () => {
    const arf = arfMessage(eeaSent, 'abuse', eeaSent.email);
    expect(await deliverReport(port, [eeaSent.returnPath], arf)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('EEA', eeaSent.contactId)).toEqual([
      { outcome: 'complaint', source: 'arf', status: 'abuse', campaign_id: eeaCampaignId },
    ]);
    expect(await feedback('NA', eeaSent.contactId)).toEqual([]);
    await waitFor(() => events(eeaTap, eea, eeaSent.contactId).length === 1, { what: 'the EEA complaint event' });
    expect(events(tap, eea, eeaSent.contactId)).toEqual([]);
    await statusBecomes(eea, eeaSent.contactId, 'complained');
  });

  it('R-S8: a tampered token, an unsubscribe token or an unknown key at bounce+ → 5xx at RCPT, nothing stored', async () => {
    const target = sent[4];
    const token = tokenFromBounceAddress(target.returnPath)!;
    const at = target.returnPath.slice(target.returnPath.indexOf('@'));
    const tampered = `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`;
    const claims = { tenantId: na.tenant.id, region: 'NA' as const, campaignId, contactId: target.contactId };
    const unsubscribe = new LinkTokenSigner(services.config.linkTokenKeys).mint({ ...claims, kind: 'unsubscribe' });
    const foreign = new LinkTokenSigner([{ kid: 'evil', secret: 'x'.repeat(40) }]).mint({ ...claims, kind: 'bounce' });
    const dsn = dsnMessage(target, [{ address: target.email, action: 'failed', status: '5.1.1' }]);
    for (const bad of [tampered, unsubscribe, foreign]) {
      const answer = await deliverReport(port, [`bounce+${bad}${at}`], dsn);
      expect(answer.rcpt[0]).toBeGreaterThanOrEqual(500);
      expect(answer.data).toBe(0);
    }
    expect(await feedback('NA', target.contactId)).toEqual([]);
  });

  it('R-S8, R-P6: a purged tenant’s DSN is answered 250 and stores nothing', async () => {
    const tenantId = randomUUID();
    const contactId = randomUUID();
    await adminQuery(
      'global',
      `INSERT INTO tenants (id, name, region, status, purged_at) VALUES ($1, 'purged shop', 'NA', 'purged', now())`,
      [tenantId],
    );
    const signer = new LinkTokenSigner(services.config.linkTokenKeys);
    const token = signer.mint({ kind: 'bounce', tenantId, region: 'NA', campaignId: randomUUID(), contactId });
    const returnPath = bounceAddress(token, 'bounces.shop.test');
    const dsn = dsnMessage({ returnPath, messageId: feedbackMessageId(token, 'links.test') }, [
      { address: 'gone@dest.example', action: 'failed', status: '5.1.1' },
    ]);
    expect(await deliverReport(port, [returnPath], dsn)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('NA', contactId)).toEqual([]);
  });

  it('R-S8: an auto-reply or a DSN of a delivery is taken and changes nothing', async () => {
    const target = sent[4];
    const reply = `From: ${target.email}\r\nTo: ${target.returnPath}\r\nSubject: Out of office\r\n\r\nBack Monday.\r\n`;
    expect(await deliverReport(port, [target.returnPath], reply)).toEqual({ rcpt: [250], data: 250 });
    const delivered = dsnMessage(target, [{ address: target.email, action: 'delivered', status: '2.0.0' }]);
    expect(await deliverReport(port, [target.returnPath], delivered)).toEqual({ rcpt: [250], data: 250 });
    expect(await feedback('NA', target.contactId)).toEqual([]);
  });
});
