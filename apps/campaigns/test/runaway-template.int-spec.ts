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

const NESTED = '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}';

/**
 * R-X6: a template cannot starve the process. Nested loops are refused at creation by a dry render; a template
 * that only runs away for some contact (its loop bound is a contact attribute) pauses the campaign at send time
 * with the reason, instead of failing recipients or holding the event loop.
 */
describe('R-X6: runaway templates are refused at creation or pause their campaign', () => {
  const sink = new DevMailSink({ port: 0 });
  let services: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    });
    t = await createTestTenant(services, { region: 'NA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  const api = (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });

  it('nested loops at creation → 400 naming the part', async () => {
    await seedContacts(services, t.tenant, [{ email: `nested-${Date.now()}@example.com`, lists: ['runaway-a'] }]);
    const res = await api('POST', '/v1/campaigns', {
      name: 'Nested',
      subject: 'Hi',
      fromEmail: 'news@shop.example',
      html: `<p>Hello</p>${NESTED}`,
      audience: { lists: ['runaway-a'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'html', reason: expect.stringMatching(/render budget/) }]);
  });

  it('a template that runs away for one contact pauses its campaign with the reason; nobody is failed', async () => {
    const stamp = Date.now();
    const runaway = `runaway-${stamp}@example.com`;
    await seedContacts(services, t.tenant, [
      { email: `calm-${stamp}@example.com`, lists: ['runaway-b'] },
      { email: runaway, lists: ['runaway-b'], attributes: { n: 100000 } },
    ]);
    const created = await api('POST', '/v1/campaigns', {
      name: 'Per-contact loop',
      subject: 'Hi',
      fromEmail: 'news@shop.example',
      html: '<p>Hello</p>{% for a in (1..attributes.n) %}{% for b in (1..attributes.n) %}x{% endfor %}{% endfor %}',
      audience: { lists: ['runaway-b'] },
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    const paused = await waitFor(
      async () => {
        const res = await api('GET', `/v1/campaigns/${created.body.id}`);
        return res.body.status === 'paused' ? res.body : null;
      },
      { what: 'the campaign to pause itself', timeoutMs: 30000, intervalMs: 100 },
    );
    expect(paused.pausedReason).toMatch(/html template exceeds the render budget/);
    const report = (await api('GET', `/v1/campaigns/${created.body.id}/report`)).body;
    expect(report.failed).toBe(0);
    expect(sink.list().filter((m) => m.to.includes(runaway))).toEqual([]);
  });
});
