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
import { supportService } from '../../support/src/service';
import { campaignsService } from '../src/service';
import { seedContacts } from './campaign-helpers';

const AUDIENCE = 300;

describe('R-S1: pause, resume and cancel take effect within 2 s', () => {
  // A slow relay (100 ms a message, 10 connections): 300 messages take about 3 s, long enough to pause.
  const sink = new DevMailSink({ port: 0, answerDelayMs: 100, keep: 10000 });
  let services: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    });
    t = await createTestTenant(services, { region: 'NA' });
    await seedContacts(
      services,
      t.tenant,
      Array.from({ length: AUDIENCE }, (_, i) => ({ email: `p${i}-${Date.now()}@example.com`, lists: ['pause'] })),
    );
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  const api = (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });

  it('R-S1, R-S6: pause stops sending within 2 s; resume finishes the rest; nobody gets two messages', async () => {
    const created = await api('POST', '/v1/campaigns', {
      name: 'P',
      subject: 's',
      fromEmail: 'a@shop.example',
      html: '<p>x</p>',
      audience: { lists: ['pause'] },
    });
    await api('POST', `/v1/campaigns/${created.body.id}/send`);
    await waitFor(() => sink.total >= 20, { what: 'sending to begin', timeoutMs: 20000, intervalMs: 20 });

    const paused = await api('POST', `/v1/campaigns/${created.body.id}/pause`);
    expect(paused.status).toBe(202);
    expect(paused.body.status).toBe('paused');
    await new Promise((r) => setTimeout(r, 2000));
    const afterTwoSeconds = sink.total;
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.total).toBe(afterTwoSeconds);
    expect(afterTwoSeconds).toBeLessThan(AUDIENCE);

    expect((await api('POST', `/v1/campaigns/${created.body.id}/resume`)).body.status).toBe('sending');
    await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the campaign to finish',
      timeoutMs: 60000,
    });
    const recipients = sink.list().flatMap((m) => m.to);
    expect(recipients).toHaveLength(AUDIENCE);
    expect(new Set(recipients).size).toBe(AUDIENCE);
    expect((await api('GET', `/v1/campaigns/${created.body.id}/report`)).body).toMatchObject({
      sent: AUDIENCE,
      unknown: 0,
      failed: 0,
    });
  }, 120000);

  it('R-S1: a cancelled campaign cannot be resumed (409)', async () => {
    const created = await api('POST', '/v1/campaigns', {
      name: 'C',
      subject: 's',
      fromEmail: 'a@shop.example',
      html: '<p>x</p>',
      audience: { lists: ['pause'] },
    });
    expect((await api('POST', `/v1/campaigns/${created.body.id}/cancel`)).body.status).toBe('cancelled');
    const resumed = await api('POST', `/v1/campaigns/${created.body.id}/resume`);
    expect(resumed.status).toBe(409);
    expect(resumed.body).toMatchObject({ error: 'invalid_state' });
  });
});
