import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DevMailSink } from '@missive/dev-mail';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { seedContacts } from '../../campaigns/test/campaign-helpers';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';

/** R-X7: `campaign.finished`, published by the send worker with the `sent` status, reaches the tenant signed. */
describe('R-X7: campaign.finished webhook, over the real stack', () => {
  const sink = new DevMailSink({ port: 0 });
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  let services: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    await sink.start();
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    services = await startTestServices([supportService, contactsService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL_NA: `smtp://127.0.0.1:${sink.port}`,
    });
    t = await createTestTenant(services, { region: 'NA' });
  }, 120_000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const api = (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });

  it('R-X7: a sent campaign reaches the endpoint as campaign.finished, and the signature verifies', async () => {
    const { port } = receiver.address() as AddressInfo;
    const hook = await api('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${port}/campaigns`,
      events: ['campaign.finished'],
    });
    expect(hook.status).toBe(201);
    await seedContacts(services, t.tenant, [{ email: `finished-${Date.now()}@example.com` }]);
    const created = await waitFor(
      async () => {
        const res = await api('POST', '/v1/campaigns', {
          name: 'Finished',
          subject: 'Hello',
          fromEmail: 'news@shop.example',
          html: '<p>Hello</p>',
          audience: { lists: ['news'] },
        });
        return res.status === 201 ? res : null;
      },
      { what: 'the list news in campaigns', timeoutMs: 30_000, intervalMs: 250 },
    );
    const id = created.body.id as string;
    expect((await api('POST', `/v1/campaigns/${id}/send`)).status).toBe(202);
    await waitFor(async () => received.length > 0, { what: 'the campaign.finished webhook', timeoutMs: 30_000 });
    expect((await api('GET', `/v1/campaigns/${id}`)).body.status).toBe('sent');
    const message = new Webhook(hook.body.secret as string).verify(received[0].body, {
      'webhook-id': String(received[0].headers['webhook-id']),
      'webhook-timestamp': String(received[0].headers['webhook-timestamp']),
      'webhook-signature': String(received[0].headers['webhook-signature']),
    });
    expect(message).toEqual({
      type: 'campaign.finished',
      timestamp: expect.any(String),
      data: { campaignId: id, status: 'sent' },
    });
  }, 60_000);
});
