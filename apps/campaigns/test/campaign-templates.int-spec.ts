import { randomUUID } from 'node:crypto';
import { DevMailSink } from '@missive/dev-mail';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { campaignsService } from '../src/service';
import { seedContacts } from './campaign-helpers';

describe('campaign templates, preview and test sends (API.md POST /v1/campaigns, /preview, /test)', () => {
  const sink = new DevMailSink({ port: 0, keep: 1000 });
  let services: TestServices;
  let t: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      QUEUE_NAMESPACE: `templates-${randomUUID().slice(0, 8)}`,
    });
    [t, other] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
    await seedContacts(services, t.tenant, [
      { email: 'ada@example.com', firstName: 'Ada <b>', attributes: { plan: 'gold' }, trackingConsent: true },
    ]);
    await seedContacts(services, other.tenant, [{ email: 'other@example.com', firstName: 'Other' }]);
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  const api = (method: string, path: string, body?: unknown, tenant: TestTenant = t) =>
    http(method, `${services.publicUrl}${path}`, { token: tenant.apiKey, body });

  const campaign = (overrides: Record<string, unknown> = {}) => ({
    name: 'templates',
    subject: 'Hello {{ firstName }}',
    fromEmail: 'news@shop.example',
    html: '<p>Hi {{ firstName }}, plan {{ attributes.plan }}. <a href="https://shop.example/sale">Sale</a></p>',
    text: 'Hi {{ firstName }}',
    audience: { lists: ['news'] },
    ...overrides,
  });

  it('API.md: a template variable that is neither a contact field nor attributes.X is a 400 naming it and its part', async () => {
    const res = await api(
      'POST',
      '/v1/campaigns',
      campaign({ subject: 'Hello {{ contact.firstName }}', text: 'Plan {{ plan }} {{ attributes.plan }}' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_input',
      message: expect.stringContaining('subject'),
      details: [
        { field: 'subject', reason: expect.stringContaining('"contact.firstName"') },
        { field: 'text', reason: expect.stringContaining('"plan"') },
      ],
    });
    const fine = await api('POST', '/v1/campaigns', campaign());
    expect(fine.status).toBe(201);
  });
});
