import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
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
import { DELIVERY_RECORDED, type DeliveryRecordedV1 } from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
import { LinkTokenSigner } from '@missive/tokens';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../../unsubscribe/src/service';
import { contactsService } from '../src/service';
import { importFile } from './import-helpers';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A tenant's webhook receiver on 127.0.0.1: answers each POST with the next status of `statuses` (the last repeats). */
async function startReceiver(statuses: number[] = [200]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/missive`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver verifies with Standard Webhooks' own implementation: throws unless the signature is right. */
function verified(secret: string, r: Received): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as { type: string; timestamp: string; data: Record<string, unknown> };
}

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

describe('R-X7: signed webhooks to tenants, over the real stack', () => {
  let services: TestServices;
  let signer: LinkTokenSigner;
  const receivers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    services = await startTestServices([contactsService, unsubscribeService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      INBOUND_SMTP_PORT: '0',
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
  }, 120_000);

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await services?.stop();
  });

  const url = (path: string) => `${services.publicUrl}${path}`;
  const api = (t: TestTenant, method: string, path: string, body?: unknown) =>
    http(method, url(path), { token: t.apiKey, body });
  const receiver = async (statuses?: number[]) => {
    const r = await startReceiver(statuses);
    receivers.push(r);
    return r;
  };
  const register = async (t: TestTenant, target: string, events: string[]) => {
    const res = await api(t, 'POST', '/v1/webhooks', { url: target, events });
    expect(res.status).toBe(201);
    return res.body as { id: string; url: string; events: string[]; secret: string };
  };

  it('R-X7: the secret is shown once, at creation; the list never shows it; it is stored sealed', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const created = await register(t, 'http://127.0.0.1:9/in', ['import.finished', 'contact.unsubscribed']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(created.events).toEqual(['contact.unsubscribed', 'import.finished']);
    const list = await api(t, 'GET', '/v1/webhooks');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { id: created.id, url: 'http://127.0.0.1:9/in', events: created.events, createdAt: expect.any(String) },
    ]);
    expect(list.text).not.toContain('whsec_');
    expect(list.text).not.toContain('secret');
    const [row] = await adminQuery<{ secret_sealed: string }>(
      'NA',
      'SELECT secret_sealed FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2',
      [t.tenant.id, created.id],
    );
    expect(row.secret_sealed).not.toContain(created.secret.slice(6));
    expect(row.secret_sealed).not.toContain('whsec_');
  });

  it('R-X7: a URL that is not http(s), an internal address or an unknown event is refused (400)', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    for (const body of [
      { url: 'ftp://127.0.0.1/in', events: ['import.finished'] },
      { url: 'http://169.254.169.254/latest/meta-data', events: ['import.finished'] },
      { url: 'http://10.0.0.1/in', events: ['import.finished'] },
      { url: 'http://127.0.0.1:9/in', events: ['contact.exploded'] },
      { url: 'http://127.0.0.1:9/in', events: [] },
      { url: 'http://127.0.0.1:9/in', events: 'import.finished' },
      { url: 42, events: ['import.finished'] },
    ]) {
      const res = await api(t, 'POST', '/v1/webhooks', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect((await api(t, 'GET', '/v1/webhooks')).body.items).toEqual([]);
  });

  it('R-X7: a finished import reaches a receiver on 127.0.0.1, signed so that it verifies', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const r = await receiver();
    const endpoint = await register(t, r.url, ['import.finished']);
    const report = await importFile(services, t, 'email,lawfulBasis\nhooked@example.com,contract\n');
    expect(report.status).toBe('done');
    await waitFor(async () => r.received.length > 0, { what: 'the import.finished webhook', timeoutMs: 30_000 });
    const [got] = r.received;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-id']).toMatch(/^msg_/);
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    const message = verified(endpoint.secret, got);
    expect(message).toEqual({
      type: 'import.finished',
      timestamp: expect.any(String),
      data: { importId: report.id, status: 'done' },
    });
    // The wrong secret does not verify it.
    const other = await register(t, 'http://127.0.0.1:9/other', ['campaign.finished']);
    expect(() => verified(other.secret, got)).toThrow();
  }, 60_000);

  it('R-X7: an unsubscribe reaches the endpoint as contact.unsubscribed, ids only', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const r = await receiver();
    const endpoint = await register(t, r.url, ['contact.unsubscribed']);
    const contact = await api(t, 'POST', '/v1/contacts', {
      email: 'leaving@example.com',
      lawfulBasis: 'consent',
      consent: CONSENT,
    });
    expect(contact.status).toBe(201);
    const token = signer.mint({
      kind: 'unsubscribe',
      tenantId: t.tenant.id,
      region: 'NA',
      campaignId: null,
      contactId: contact.body.id,
    });
    const oneClick = await http('POST', url(`/u/${token}`), {
      raw: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    await waitFor(async () => r.received.length > 0, { what: 'the contact.unsubscribed webhook', timeoutMs: 30_000 });
    const message = verified(endpoint.secret, r.received[0]);
    expect(message.type).toBe('contact.unsubscribed');
    expect(message.data).toMatchObject({ contactId: contact.body.id, lists: null, source: 'one-click' });
    expect(r.received[0].body).not.toContain('leaving@example.com');
  }, 60_000);

  it('R-X7: a receiver answering 500 first, then 200, gets the same message again after a backoff', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const r = await receiver([500, 200]);
    const endpoint = await register(t, r.url, ['import.finished']);
    await importFile(services, t, 'email,lawfulBasis\nretried@example.com,contract\n');
    await waitFor(async () => r.received.length >= 2, { what: 'the retried webhook', timeoutMs: 30_000 });
    const [first, second] = r.received;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1500); // the first retry waits 2 s
    expect(verified(endpoint.secret, second)).toEqual(verified(endpoint.secret, first));
    // Delivered: no third attempt.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(r.received).toHaveLength(2);
  }, 60_000);

  it('R-X7: DELETE stops delivery, also of the retries already queued', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const r = await receiver([500]);
    const endpoint = await register(t, r.url, ['import.finished']);
    await importFile(services, t, 'email,lawfulBasis\nstopped@example.com,contract\n');
    await waitFor(async () => r.received.length >= 1, { what: 'the first attempt', timeoutMs: 30_000 });
    expect((await api(t, 'DELETE', `/v1/webhooks/${endpoint.id}`)).status).toBe(204);
    const afterDelete = r.received.length;
    // The retries would come 2 s, 4 s and 8 s after the first attempt.
    await new Promise((resolve) => setTimeout(resolve, 9000));
    expect(r.received).toHaveLength(afterDelete);
    expect((await api(t, 'GET', '/v1/webhooks')).body.items).toEqual([]);
    expect((await api(t, 'DELETE', `/v1/webhooks/${endpoint.id}`)).status).toBe(404);
  }, 60_000);

  it('R-X7: bounces and complaints (delivery.recorded) reach contact.bounced and contact.complained', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const r = await receiver();
    const endpoint = await register(t, r.url, ['contact.bounced', 'contact.complained']);
    const contact = await api(t, 'POST', '/v1/contacts', {
      email: 'bouncing@example.com',
      lawfulBasis: 'consent',
      consent: CONSENT,
    });
    expect(contact.status).toBe(201);
    const contactId = contact.body.id as string;
    // As the inbound listener publishes them: through the outbox.
    const outcome = (o: DeliveryRecordedV1['outcome'], status: string): DeliveryRecordedV1 => ({
      contactId,
      campaignId: null,
      outcome: o,
      source: o === 'complaint' ? 'arf' : 'dsn',
      status,
      at: new Date().toISOString(),
    });
    await services.platform.databases.forRegion('NA').transaction((m) =>
      appendToOutbox(m, [
        {
          type: DELIVERY_RECORDED,
          region: 'NA',
          tenantId: t.tenant.id,
          key: contactId,
          data: outcome('hard-bounce', '5.1.1'),
        },
        {
          type: DELIVERY_RECORDED,
          region: 'NA',
          tenantId: t.tenant.id,
          key: contactId,
          data: outcome('complaint', 'abuse'),
        },
      ]),
    );
    await waitFor(async () => r.received.length >= 2, { what: 'the bounce and complaint webhooks', timeoutMs: 30_000 });
    const messages = r.received.map((got) => verified(endpoint.secret, got));
    expect(messages.map((m) => m.type).sort()).toEqual(['contact.bounced', 'contact.complained']);
    expect(messages.find((m) => m.type === 'contact.bounced')?.data).toMatchObject({
      contactId,
      bounce: 'hard',
      status: '5.1.1',
    });
    expect(messages.find((m) => m.type === 'contact.complained')?.data).toMatchObject({ contactId, status: 'abuse' });
  }, 60_000);

  it('R-X7, R-D3: a request referred by Missive support reaches privacy_request.received', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const r = await receiver();
    const endpoint = await register(t, r.url, ['privacy_request.received']);
    const referral = await http('POST', `${services.supportUrl}/internal/v1/tenants/${t.tenant.id}/privacy-referrals`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'webhook test referral' },
      body: { type: 'erasure', receivedAt: new Date().toISOString(), summary: 'A person wrote to support' },
    });
    expect(referral.status).toBe(201);
    await waitFor(async () => r.received.length > 0, {
      what: 'the privacy_request.received webhook',
      timeoutMs: 30_000,
    });
    const message = verified(endpoint.secret, r.received[0]);
    expect(message).toMatchObject({
      type: 'privacy_request.received',
      data: { requestId: referral.body.id, type: 'erasure', source: 'support' },
    });
    expect(r.received[0].body).not.toContain('A person wrote to support');
  }, 60_000);

  it("R-X7, R-T1: another tenant's endpoint id is 404 and stays; its list does not show it", async () => {
    const a = await createTestTenant(services, { region: 'NA' });
    const b = await createTestTenant(services, { region: 'NA' });
    const mine = await register(a, 'http://127.0.0.1:9/a', ['campaign.finished']);
    const res = await api(b, 'DELETE', `/v1/webhooks/${mine.id}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(mine.id);
    expect((await api(b, 'DELETE', '/v1/webhooks/not-a-uuid')).status).toBe(404);
    expect((await api(b, 'GET', '/v1/webhooks')).body.items).toEqual([]);
    expect((await api(a, 'GET', '/v1/webhooks')).body.items.map((w: { id: string }) => w.id)).toEqual([mine.id]);
  });
});
