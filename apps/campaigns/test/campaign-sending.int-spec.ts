import { simpleParser } from 'mailparser';
import { DevMailSink } from '@missive/dev-mail';
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
import { campaignsService } from '../src/service';
import { seedContacts, seedProjection } from './campaign-helpers';

describe('campaign sending through Kafka, BullMQ, PostgreSQL and a real SMTP sink', () => {
  const sink = new DevMailSink({ port: 0 });
  /** R-T2: the EEA region's own relay (SMTP_URL_EEA); NA mail goes to `sink` (SMTP_URL_NA). */
  const eeaSink = new DevMailSink({ port: 0 });
  let services: TestServices;
  let na: TestTenant;
  let eea: TestTenant;

  beforeAll(async () => {
    await sink.start();
    await eeaSink.start();
    services = await startTestServices([supportService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL_NA: `smtp://127.0.0.1:${sink.port}`,
      SMTP_URL_EEA: `smtp://127.0.0.1:${eeaSink.port}`,
      PUBLIC_BASE_URL: 'http://links.test:3000',
    });
    na = await createTestTenant(services, { region: 'NA' });
    eea = await createTestTenant(services, { region: 'EEA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
    await eeaSink.stop();
  });

  const api = (t: TestTenant, method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
  const messagesTo = (address: string, relay = sink) => relay.list().filter((m) => m.to.includes(address));

  async function sendAndFinish(t: TestTenant, body: Record<string, unknown>) {
    const created = await api(t, 'POST', '/v1/campaigns', body);
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    expect((await api(t, 'POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    await waitFor(async () => (await api(t, 'GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the campaign to be sent',
      timeoutMs: 30000,
    });
    return created.body.id as string;
  }

  it('R-S2, R-S3, R-S7: sends to mailable contacts with the unsubscribe headers and link, skips the others by reason', async () => {
    const stamp = Date.now();
    const ok = `ok-${stamp}@example.com`;
    await seedContacts(services, na.tenant, [
      { email: ok, firstName: 'Ada' },
      { email: `unsub-${stamp}@example.com`, status: 'unsubscribed' },
      { email: `minor-${stamp}@example.com`, birthDate: '2020-01-01' },
      { email: `other-list-${stamp}@example.com`, lists: ['other'] },
    ]);
    const id = await sendAndFinish(na, {
      name: 'Welcome',
      subject: 'Hello {{ firstName }}',
      fromEmail: 'news@shop.example',
      html: '<html><body><p>Hi {{ firstName }}</p><a href="https://shop.example/sale">Sale</a></body></html>',
      audience: { lists: ['news'] },
    });
    expect(messagesTo(`other-list-${stamp}@example.com`)).toHaveLength(0);
    const [raw] = messagesTo(ok);
    expect(messagesTo(ok, eeaSink)).toHaveLength(0);
    const mail = await simpleParser(raw.raw);
    expect(mail.subject).toBe('Hello Ada');
    expect(mail.messageId).toMatch(/^<[A-Za-z0-9_-]+\.[0-9a-f]{16}@links\.test>$/);
    // R-S8: the envelope sender is the VERP address, its local part within RFC 5321's 64 octets (the compact token
    // names tenant and contact); the Message-ID carries the full token, with the campaign, for ARF reports.
    expect(raw.from).toMatch(/^bounce\+[A-Za-z0-9_-]+@links\.test$/);
    expect(raw.from!.indexOf('@')).toBeLessThanOrEqual(64);
    expect(mail.messageId!.length).toBeGreaterThan(raw.from!.indexOf('@'));
    expect(raw.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    // RFC 5322 unfolding: a line break followed by white space is removed, the white space kept.
    const listUnsubscribe = raw.raw
      .replace(/\r?\n(?=[ \t])/g, '')
      .match(/^List-Unsubscribe:\s*(.*)$/m)![1]
      .trim();
    expect(listUnsubscribe).toMatch(
      /^<http:\/\/links\.test:3000\/u\/[A-Za-z0-9_-]+>, <mailto:unsubscribe\+[A-Za-z0-9_-]+@links\.test>$/,
    );
    expect(mail.html).toContain('>Unsubscribe</a>');
    // NA contact: tracked (pixel and click URL), R-S4.
    expect(mail.html).toMatch(/href="http:\/\/links\.test:3000\/t\/c\/[A-Za-z0-9_-]+"/);
    expect(mail.html).toMatch(/<img src="http:\/\/links\.test:3000\/t\/o\/[A-Za-z0-9_-]+"/);
    expect(mail.html).not.toContain('shop.example/sale');

    const report = await api(na, 'GET', `/v1/campaigns/${id}/report`);
    expect(report.body).toEqual({
      sent: 1,
      failed: 0,
      bounced: 0,
      complained: 0,
      unknown: 0,
      skipped: { unsubscribed: 1, minor: 1 },
      opens: 0,
      uniqueOpens: 0,
      machineOpens: 0,
      clicks: 0,
      uniqueClicks: 0,
      unsubscribes: 0,
    });
  });

  it('R-S2, R-U2: an opt-out already in the region opt-out set, not yet in the projection, is skipped as unsubscribed', async () => {
    const stamp = Date.now();
    const list = `optout-${stamp}`;
    // 45 recipients over several claimed groups: every message reads the set when its turn at the pool comes.
    const ids = await seedProjection(na.tenant, 45, { list, emailPrefix: `optout${stamp}-` });
    const optedOut = ids.filter((_, i) => i % 4 === 1);
    // What the unsubscribe service writes before answering 200, ahead of the event that updates the projection.
    await services.platform.redis.forRegion('NA').sadd(optOutSetKey('NA', na.tenant.id), ...optedOut);
    const id = await sendAndFinish(na, {
      name: 'Opt-outs',
      subject: 's',
      fromEmail: 'news@shop.example',
      html: '<p>x</p>',
      audience: { lists: [list] },
    });
    const delivered = sink.list().filter((m) => m.to[0].startsWith(`optout${stamp}-`));
    expect(delivered).toHaveLength(ids.length - optedOut.length);
    const skippedAddresses = (
      await adminQuery<{ email: string }>('NA', 'SELECT email FROM campaign_contacts WHERE contact_id = ANY($1)', [
        optedOut,
      ])
    ).map((r) => r.email);
    expect(skippedAddresses).toHaveLength(optedOut.length);
    for (const address of skippedAddresses) expect(messagesTo(address)).toHaveLength(0);
    expect((await api(na, 'GET', `/v1/campaigns/${id}/report`)).body).toMatchObject({
      sent: ids.length - optedOut.length,
      skipped: { unsubscribed: optedOut.length },
    });
  });

  it('R-S4, R-T2: an EEA contact without trackingConsent gets no pixel and plain links; with it, both; all through the EEA relay', async () => {
    const stamp = Date.now();
    await seedContacts(services, eea.tenant, [
      { email: `plain-${stamp}@example.eu`, trackingConsent: false },
      { email: `tracked-${stamp}@example.eu`, trackingConsent: true },
    ]);
    await sendAndFinish(eea, {
      name: 'EEA',
      subject: 'Hi',
      fromEmail: 'news@shop.example',
      html: '<p><a href="https://shop.example/eu">Shop</a></p>',
      audience: { lists: ['news'] },
    });
    // R-T2: the EEA tenant's mail went to the EEA relay only.
    expect(messagesTo(`plain-${stamp}@example.eu`)).toHaveLength(0);
    expect(messagesTo(`tracked-${stamp}@example.eu`)).toHaveLength(0);
    const plain = (await simpleParser(messagesTo(`plain-${stamp}@example.eu`, eeaSink)[0].raw)).html as string;
    expect(plain).toContain('href="https://shop.example/eu"');
    expect(plain).not.toMatch(/\/t\/[oc]\//);
    const tracked = (await simpleParser(messagesTo(`tracked-${stamp}@example.eu`, eeaSink)[0].raw)).html as string;
    expect(tracked).toMatch(/\/t\/c\//);
    expect(tracked).toMatch(/\/t\/o\//);
  });

  it('R-S5: a 550 at RCPT is a hard bounce (the contacts service suppresses it: delivery-outcomes.int-spec)', async () => {
    const stamp = Date.now();
    const bouncing = `bounce-${stamp}@example.com`;
    sink.rejectRecipients.set(bouncing, 550);
    await seedContacts(services, na.tenant, [{ email: bouncing, lists: [`b-${stamp}`] }]);
    const first = await sendAndFinish(na, {
      name: 'B',
      subject: 's',
      fromEmail: 'a@shop.example',
      html: '<p>x</p>',
      audience: { lists: [`b-${stamp}`] },
    });
    expect((await api(na, 'GET', `/v1/campaigns/${first}/report`)).body).toMatchObject({ sent: 0, bounced: 1 });
  });

  it('R-S1, R-X2: bad campaign input → 400 naming each field', async () => {
    const bad = await api(na, 'POST', '/v1/campaigns', {
      name: 'x',
      subject: 'ok',
      fromEmail: 'no-at-sign',
      html: '<p>\n{% if %}</p>',
      audience: { lists: ['no-such-list-anywhere'] },
    });
    expect(bad.status).toBe(400);
    const fields = bad.body.details.map((d: { field: string }) => d.field);
    expect(fields).toContain('fromEmail');
    const syntax = await api(na, 'POST', '/v1/campaigns', {
      name: 'x',
      subject: 'ok',
      fromEmail: 'a@shop.example',
      html: '<p>\n{% if %}</p>',
      audience: { lists: ['no-such-list-anywhere'] },
    });
    expect(syntax.status).toBe(400);
    expect(syntax.body.details).toEqual(
      expect.arrayContaining([
        { field: 'html', reason: expect.stringMatching(/line 2/) },
        { field: 'audience.lists', reason: 'unknown list "no-such-list-anywhere"' },
      ]),
    );
    // 5 MB of HTML: let in by the route's body limit, refused by validation naming the field (limit 1 MB).
    const huge = await api(na, 'POST', '/v1/campaigns', {
      name: 'x',
      subject: 'ok',
      fromEmail: 'a@shop.example',
      html: `<p>${'x'.repeat(5 * 1024 * 1024)}</p>`,
      audience: { lists: ['news'] },
    });
    expect(huge.status).toBe(400);
    expect(huge.body).toMatchObject({
      error: expect.any(String),
      message: expect.any(String),
      details: [{ field: 'html', reason: expect.stringMatching(/at most 1048576/) }],
    });
  });

  it('R-T1: another tenant’s campaign is a 404', async () => {
    await seedContacts(services, na.tenant, [{ email: `own-${Date.now()}@example.com`, lists: ['bola'] }]);
    const created = await api(na, 'POST', '/v1/campaigns', {
      name: 'x',
      subject: 's',
      fromEmail: 'a@shop.example',
      html: '<p>x</p>',
      audience: { lists: ['bola'] },
    });
    expect(created.status).toBe(201);
    for (const path of ['', '/report'])
      expect((await api(eea, 'GET', `/v1/campaigns/${created.body.id}${path}`)).status).toBe(404);
    for (const action of ['send', 'pause', 'resume', 'cancel'])
      expect((await api(eea, 'POST', `/v1/campaigns/${created.body.id}/${action}`)).status).toBe(404);
  });
});
