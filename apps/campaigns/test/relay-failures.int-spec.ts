import { randomUUID } from 'node:crypto';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type ScratchDatabases,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { campaignsService } from '../src/service';
import { seedContacts } from './campaign-helpers';
import { ScriptedRelay } from './scripted-relay';

const AUDIENCE = 6;

/**
 * R-S5 against a real scripted SMTP relay: a refusal of the relay itself (AUTH 535, MAIL FROM 5.7.x) pauses the
 * campaign with the reason and suppresses nobody, the messages stay pending and all go out on resume; a 4xx is
 * retried with backoff and delivered once the relay takes it.
 */
describe('R-S5: relay failures pause the campaign, 4xx are retried', () => {
  const relay = new ScriptedRelay();
  let scratch: ScratchDatabases;
  let db: { url: string };
  let services: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    await relay.start();
    // Its own databases: the outbox and the projection assertions see this test's rows only.
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    services = await startTestServices([supportService, campaignsService], {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: relay.url('missive'),
    });
    t = await createTestTenant(services, { region: 'NA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    await relay.stop();
    await scratch?.drop();
  });

  const api = (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
  const ledger = async (campaignId: string) =>
    Object.fromEntries(
      (
        await adminQuery<{ state: string; n: number }>(
          db,
          'SELECT state, count(*)::int AS n FROM campaign_deliveries WHERE campaign_id = $1 GROUP BY state',
          [campaignId],
        )
      ).map((r) => [r.state, r.n]),
    ) as Record<string, number | undefined>;
  const relayFailures = async () => {
    const text = (await http('GET', `${services.publicUrl}/metrics`)).text;
    const line = text.split('\n').find((l) => l.startsWith('missive_smtp_relay_failures_total{region="NA"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  async function audience(name: string): Promise<{ list: string; emails: string[]; ids: string[] }> {
    const list = `${name}-${Date.now()}`;
    const emails = Array.from({ length: AUDIENCE }, (_, i) => `${list}-${i}@example.com`);
    const ids = await seedContacts(
      services,
      t.tenant,
      emails.map((email) => ({ email, lists: [list] })),
      db,
    );
    return { list, emails, ids };
  }

  async function send(list: string): Promise<string> {
    const created = await api('POST', '/v1/campaigns', {
      name: list,
      subject: 's',
      fromEmail: 'news@shop.example',
      html: '<p>x</p>',
      audience: { lists: [list] },
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    return created.body.id as string;
  }

  const waitForStatus = (id: string, status: string, timeoutMs = 30000) =>
    waitFor(
      async () => {
        const res = await api('GET', `/v1/campaigns/${id}`);
        return res.body.status === status ? res.body : null;
      },
      { what: `the campaign to be ${status}`, timeoutMs, intervalMs: 100 },
    );

  /** Paused with the reason, nobody bounced or failed or suppressed, every message still pending; then resumed. */
  async function pausedThenResumed(id: string, emails: string[], ids: string[], reason: RegExp): Promise<void> {
    const paused = await waitForStatus(id, 'paused');
    expect(paused.pausedReason).toMatch(reason);
    // Messages claimed with the refused ones come back pending too; nothing is left in flight.
    await waitFor(async () => (await ledger(id)).sending === undefined, { what: 'no message in flight' });
    expect(await ledger(id)).toEqual({ pending: AUDIENCE });
    const statuses = await adminQuery<{ status: string }>(
      db,
      'SELECT status FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = ANY($2)',
      [t.tenant.id, ids],
    );
    expect(statuses.map((s) => s.status)).toEqual(Array(AUDIENCE).fill('active'));
    const events = await adminQuery<{ n: number }>(
      db,
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'na.delivery.recorded' AND payload LIKE '%' || $1 || '%'`,
      [id],
    );
    expect(events[0].n).toBe(0);
    for (const email of emails) expect(relay.to(email)).toEqual([]);

    relay.script = {};
    expect((await api('POST', `/v1/campaigns/${id}/resume`)).body.status).toBe('sending');
    await waitForStatus(id, 'sent');
    for (const email of emails) expect(relay.to(email)).toHaveLength(1);
    expect((await api('GET', `/v1/campaigns/${id}/report`)).body).toMatchObject({
      sent: AUDIENCE,
      failed: 0,
      bounced: 0,
      unknown: 0,
      skipped: {},
    });
  }

  it('R-S5: 535 5.7.8 at AUTH pauses the campaign with the reason and suppresses nobody; resume sends everything', async () => {
    const { list, emails, ids } = await audience('auth');
    const before = await relayFailures();
    relay.script = { auth: '535 5.7.8 Authentication credentials invalid' };
    const id = await send(list);
    await pausedThenResumed(id, emails, ids, /^relay failure: 535 5\.7\.8 Authentication credentials invalid/);
    expect(await relayFailures()).toBeGreaterThan(before);
  }, 60000);

  it('R-S5: 550 5.7.1 at MAIL FROM pauses the campaign; resume sends everything', async () => {
    const { list, emails, ids } = await audience('mailfrom');
    relay.script = { mailFrom: '550 5.7.1 Sender address rejected: not owned by user' };
    const id = await send(list);
    await pausedThenResumed(id, emails, ids, /^relay failure: 550 5\.7\.1 Sender address rejected/);
  }, 60000);

  it('R-S5: 554 relay access denied at RCPT pauses the campaign and bounces nobody', async () => {
    const { list, emails, ids } = await audience('relaying');
    relay.script = { rcpt: () => '554 5.7.1 Relay access denied' };
    const id = await send(list);
    await pausedThenResumed(id, emails, ids, /^relay failure: 554 5\.7\.1 Relay access denied/);
  }, 60000);

  it('R-S5: 451 at RCPT is retried with backoff, then delivered; the others are not held back', async () => {
    const { list, emails } = await audience('greylist');
    const greylisted = emails[0];
    relay.script = {
      rcpt: (address, asked) => (address === greylisted && asked === 0 ? '451 4.7.1 Greylisted' : undefined),
    };
    const id = await send(list);
    await waitForStatus(id, 'sent');
    for (const email of emails) expect(relay.to(email)).toHaveLength(1);
    expect(relay.rcptAsked.get(greylisted)).toBe(2);
    const [row] = await adminQuery<{ state: string; attempts: number }>(
      db,
      `SELECT d.state, d.attempts FROM campaign_deliveries d JOIN campaign_contacts c
         ON c.tenant_id = d.tenant_id AND c.contact_id = d.contact_id
       WHERE d.campaign_id = $1 AND c.email = $2`,
      [id, greylisted],
    );
    expect(row).toEqual({ state: 'sent', attempts: 2 });
    expect((await api('GET', `/v1/campaigns/${id}/report`)).body).toMatchObject({ sent: AUDIENCE, bounced: 0 });
    relay.script = {};
  }, 60000);
  it('R-S10: a 421 for one destination domain holds that domain with backoff; another domain is not delayed', async () => {
    const stamp = Date.now();
    const list = `pacing-${stamp}`;
    const slow = Array.from({ length: AUDIENCE }, (_, i) => `p${i}-${stamp}@slow-${stamp}.example`);
    const fast = Array.from({ length: AUDIENCE }, (_, i) => `p${i}-${stamp}@fast-${stamp}.example`);
    await seedContacts(
      services,
      t.tenant,
      [...slow, ...fast].map((email) => ({ email, lists: [list] })),
      db,
    );
    // The slow domain answers 421 for 2.5 s from its first RCPT, then takes everything.
    let throttledUntil = 0;
    relay.script = {
      rcpt: (address) => {
        if (!address.endsWith(`@slow-${stamp}.example`)) return undefined;
        if (!throttledUntil) throttledUntil = Date.now() + 2500;
        return Date.now() < throttledUntil ? '421 4.7.0 Too many messages, slow down' : undefined;
      },
    };
    const started = Date.now();
    const id = await send(list);
    await waitForStatus(id, 'sent', 45000);
    for (const email of [...slow, ...fast]) expect(relay.to(email)).toHaveLength(1);
    // The other domain went out in the first pass, all of it before the slow domain took its first message.
    const fastDone = Math.max(...fast.map((email) => relay.to(email)[0].at)) - started;
    const slowFirst = Math.min(...slow.map((email) => relay.to(email)[0].at)) - started;
    expect(fastDone).toBeLessThan(slowFirst);
    // After its first throttling answers, the slow domain saw one probe per backoff, not every message again.
    const refused = relay.rcptLog.filter((r) => r.address.endsWith(`@slow-${stamp}.example`) && r.reply !== null);
    console.log(
      `fast domain done after ${fastDone} ms, slow domain's first after ${slowFirst} ms; ${refused.length} refused`,
    );
    expect(refused.length).toBeLessThanOrEqual(AUDIENCE + 2);
    expect((await api('GET', `/v1/campaigns/${id}/report`)).body).toMatchObject({ sent: 2 * AUDIENCE, bounced: 0 });
    relay.script = {};
  }, 60000);
});
