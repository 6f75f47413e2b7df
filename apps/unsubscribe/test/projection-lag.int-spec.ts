import nodemailer from 'nodemailer';
import type { INestMicroservice } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { topicName } from '@missive/contracts';
import { DevMailSink } from '@missive/dev-mail';
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
import { LinkTokenSigner } from '@missive/tokens';
import { campaignsService } from '../../campaigns/src/service';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { InboundSmtpLifecycle } from '../src/inbound/inbound-smtp.lifecycle';
import { unsubscribeService } from '../src/service';

/**
 * Read your writes across projections: the unsubscribe and campaigns services each keep their own view of contacts,
 * fed by `contact.changed`. Their consumers are paused here (the process's Kafka consumers stop fetching that
 * topic, keeping their place), so both views lag behind the contacts service for as long as the test says. Its own
 * databases: the outbox is relayed by this process alone, so the pause is the only lag.
 */
describe('R-U2, R-U3, R-S1: a projection behind the contacts service loses no opt-out and fails no campaign', () => {
  const sink = new DevMailSink({ port: 0 });
  let scratch: ScratchDatabases;
  let services: TestServices;
  let t: TestTenant;
  let signer: LinkTokenSigner;
  const contactTopic = topicName('NA', 'contact.changed');

  const consumers = () =>
    services.publicApp!.getMicroservices().flatMap((ms: INestMicroservice) => ms.unwrap<Consumer[]>());
  const pauseProjections = () => consumers().forEach((c) => c.pause([{ topic: contactTopic }]));
  const resumeProjections = () => consumers().forEach((c) => c.resume([{ topic: contactTopic }]));

  const api = (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
  const token = (contactId: string) =>
    signer.mint({ kind: 'unsubscribe', tenantId: t.tenant.id, region: 'NA', campaignId: null, contactId });
  const createContact = async (email: string, list: string): Promise<string> => {
    const created = await api('POST', '/v1/contacts', { email, lawfulBasis: 'contract', lists: [list] });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const optOutRows = (contactId: string) =>
    adminQuery<{ awaiting_contact: boolean; source: string }>(
      { url: scratch.env.DATABASE_ADMIN_URL_NA },
      'SELECT awaiting_contact, source FROM unsubscribe_opt_outs WHERE tenant_id = $1 AND contact_id = $2',
      [t.tenant.id, contactId],
    );
  const campaign = (list: string) => ({
    name: 'lag',
    subject: 'Hello',
    fromEmail: 'news@shop.example',
    html: '<p>Hi</p>',
    audience: { lists: [list] },
  });

  beforeAll(async () => {
    await sink.start();
    scratch = await createScratchDatabases(`lag_${randomUUID().slice(0, 8)}`);
    services = await startTestServices([supportService, contactsService, campaignsService, unsubscribeService], {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      INBOUND_SMTP_PORT: '0',
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
    t = await createTestTenant(services, { region: 'NA', name: 'Lag Shop' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
    await scratch?.drop();
  });

  it('R-S1: a campaign naming the list of a contact created a moment before is 201, not 400; an unknown list is still 400', async () => {
    const stamp = Date.now();
    const list = `fresh-${stamp}`;
    await createContact(`fresh-${stamp}@example.com`, list);
    const created = await api('POST', '/v1/campaigns', campaign(list));
    expect(created.body.details ?? []).toEqual([]);
    expect(created.status).toBe(201);
    const unknown = await api('POST', '/v1/campaigns', campaign(`nobody-is-on-${stamp}`));
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'audience.lists', reason: `unknown list "nobody-is-on-${stamp}"` }]);
  }, 30000);

  it('R-U2, R-U3, R-S1: with the projections stopped, page 200, one-click 200, mail 250, campaign 201; resumed, both contacts are unsubscribed and the send reaches the third', async () => {
    const stamp = Date.now();
    const list = `lag-${stamp}`;
    pauseProjections();
    try {
      const byClick = await createContact(`click-${stamp}@example.com`, list);
      const byMail = await createContact(`mail-${stamp}@example.com`, list);
      const stays = `stays-${stamp}@example.com`;
      await createContact(stays, list);

      const page = await http('GET', `${services.publicUrl}/u/${token(byClick)}`);
      const post = await http('POST', `${services.publicUrl}/u/${token(byClick)}`, {
        raw: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const port = services.publicApp!.get(InboundSmtpLifecycle).port!;
      const mail = await nodemailer
        .createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
        .sendMail({ from: 'r@example.com', to: `unsubscribe+${token(byMail)}@links.example`, text: 'stop' });
      // The campaigns projection has not heard of the list: the campaign is accepted, not refused.
      const created = await api('POST', '/v1/campaigns', campaign(list));
      // Every answer first, so a failure shows them all.
      expect({
        page: page.status,
        post: post.status,
        mail: mail.response.slice(0, 3),
        campaign: created.status,
        byClick: await optOutRows(byClick),
        byMail: await optOutRows(byMail),
      }).toEqual({
        page: 200,
        post: 200,
        mail: '250',
        campaign: 201,
        byClick: [{ awaiting_contact: true, source: 'one-click' }],
        byMail: [{ awaiting_contact: true, source: 'mailto' }],
      });
      expect(page.text).toContain('Lag Shop');
      expect(page.text).not.toContain(`click-${stamp}`);
      expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
      expect((await api('GET', `/v1/contacts/${byClick}`)).body.status).toBe('active');

      resumeProjections();
      const resumedAt = Date.now();
      for (const id of [byClick, byMail]) {
        await waitFor(async () => (await api('GET', `/v1/contacts/${id}`)).body.status === 'unsubscribed', {
          what: 'the contact to be unsubscribed',
          timeoutMs: 15000,
        });
        expect(await optOutRows(id)).toEqual([expect.objectContaining({ awaiting_contact: false })]);
      }
      console.log(`R-U2: both contacts unsubscribed ${Date.now() - resumedAt} ms after the projections resumed`);

      await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
        what: 'the campaign to be sent',
        timeoutMs: 30000,
      });
      expect(sink.list().filter((m) => m.to.includes(stays))).toHaveLength(1);
      expect(
        sink.list().filter((m) => m.to.some((to) => to.endsWith(`-${stamp}@example.com`) && to !== stays)),
      ).toEqual([]);
      const report = await api('GET', `/v1/campaigns/${created.body.id}/report`);
      expect(report.body).toMatchObject({ sent: 1, skipped: { unsubscribed: 2 } });
    } finally {
      resumeProjections();
    }
  }, 60000);

  it('R-D1: erasing a contact whose opt-out is still waiting for the projection erases that opt-out too', async () => {
    const stamp = Date.now();
    pauseProjections();
    try {
      const id = await createContact(`erased-${stamp}@example.com`, `erase-${stamp}`);
      const post = await http('POST', `${services.publicUrl}/u/${token(id)}`, {
        raw: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(post.status).toBe(200);
      expect(await optOutRows(id)).toEqual([{ awaiting_contact: true, source: 'one-click' }]);
      expect((await api('DELETE', `/v1/contacts/${id}`)).status).toBe(204);
      expect(await optOutRows(id)).toEqual([]);
    } finally {
      resumeProjections();
    }
  }, 30000);
});
