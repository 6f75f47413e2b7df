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
import { campaignsService } from '../../campaigns/src/service';
import { seedContacts } from '../../campaigns/test/campaign-helpers';
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';

/** A birth date (YYYY-MM-DD) of someone `years` old today, half a year away from any birthday. */
function bornYearsAgo(years: number): string {
  return new Date(Date.now() - (years * 365.25 + 182) * 86400_000).toISOString().slice(0, 10);
}

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

describe('R-C3: minimum ages per region from the configuration (contacts API and send gate)', () => {
  const sink = new DevMailSink({ port: 0 });
  let services: TestServices;
  let na: TestTenant;
  let eea: TestTenant;

  const api = (t: TestTenant, method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });

  beforeAll(async () => {
    await sink.start();
    // Not the defaults (NA 13, EEA 16): NA stricter, EEA at the GDPR Art. 8 floor.
    services = await startTestServices([contactsService, campaignsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      MINIMUM_AGE_NA: '18',
      MINIMUM_AGE_EEA: '14',
    });
    [na, eea] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'EEA' }),
    ]);
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  it('R-C3: the contacts API refuses a contact under the configured age of its regime, and accepts one above it', async () => {
    const stamp = Date.now();
    const minor = await api(na, 'POST', '/v1/contacts', {
      email: `seventeen-${stamp}@example.com`,
      lawfulBasis: 'consent',
      consent: CONSENT,
      birthDate: bornYearsAgo(17),
    });
    expect(minor.status).toBe(400);
    expect(minor.body.details).toEqual([
      expect.objectContaining({ field: 'birthDate', reason: expect.stringContaining('under 18') }),
    ]);

    const adult = await api(na, 'POST', '/v1/contacts', {
      email: `nineteen-${stamp}@example.com`,
      lawfulBasis: 'consent',
      consent: CONSENT,
      birthDate: bornYearsAgo(19),
    });
    expect(adult.status).toBe(201);

    // 15 is under the default 16 for EEA, but not under the configured 14.
    const fifteen = await api(eea, 'POST', '/v1/contacts', {
      email: `fifteen-${stamp}@example.com`,
      lawfulBasis: 'consent',
      consent: CONSENT,
      birthDate: bornYearsAgo(15),
    });
    expect(fifteen.status).toBe(201);
    const thirteen = await api(eea, 'POST', '/v1/contacts', {
      email: `thirteen-${stamp}@example.com`,
      lawfulBasis: 'consent',
      consent: CONSENT,
      birthDate: bornYearsAgo(13),
    });
    expect(thirteen.status).toBe(400);
    expect(thirteen.body.details).toEqual([
      expect.objectContaining({ field: 'birthDate', reason: expect.stringContaining('under 14') }),
    ]);
  });

  it('R-S2, R-C3: the send gate skips a contact under the configured age (one accepted before it was raised)', async () => {
    const stamp = Date.now();
    const list = `ages-${stamp}`;
    // Straight into the campaigns projection, as contacts created under an older, lower setting.
    await seedContacts(services, na.tenant, [
      { email: `gate-seventeen-${stamp}@example.com`, birthDate: bornYearsAgo(17), lists: [list] },
      { email: `gate-nineteen-${stamp}@example.com`, birthDate: bornYearsAgo(19), lists: [list] },
    ]);
    const created = await api(na, 'POST', '/v1/campaigns', {
      name: 'Ages',
      subject: 'Hello',
      fromEmail: 'news@shop.example',
      html: '<html><body><p>Hi</p></body></html>',
      audience: { lists: [list] },
    });
    expect(created.status).toBe(201);
    expect((await api(na, 'POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    await waitFor(async () => (await api(na, 'GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the campaign to be sent',
      timeoutMs: 30000,
    });
    const report = await api(na, 'GET', `/v1/campaigns/${created.body.id}/report`);
    expect(report.body).toMatchObject({ sent: 1, skipped: { minor: 1 } });
    expect(sink.list().filter((m) => m.to.includes(`gate-seventeen-${stamp}@example.com`))).toHaveLength(0);
    expect(sink.list().filter((m) => m.to.includes(`gate-nineteen-${stamp}@example.com`))).toHaveLength(1);
  });
});
