import { Client } from 'pg';
import { loadConfig } from '@missive/config';
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
import { supportService } from '../../support/src/service';
import { SEND_WINDOW } from '../src/sending/send-window';
import { campaignsService } from '../src/service';
import { seedProjection } from './campaign-helpers';

const AUDIENCE = 5 * SEND_WINDOW;

describe('R-S6: a message keeps its send-window slot until its outcome is recorded', () => {
  const sink = new DevMailSink({ port: 0, keep: 10000 });
  let services: TestServices;
  let t: TestTenant;
  let emails: string[];

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    });
    t = await createTestTenant(services, { region: 'NA' });
    const prefix = `window${Date.now()}-`;
    await seedProjection(t.tenant, AUDIENCE, { list: 'window', emailPrefix: prefix });
    emails = Array.from({ length: AUDIENCE }, (_, i) => `${prefix}${i}@bench.example`);
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  it('R-S6: while outcomes cannot be written, at most SEND_WINDOW messages are claimed without one; then all are recorded', async () => {
    // Every recipient hard-bounces, and a bounce is recorded with its `delivery.recorded` in the outbox (R-S8): a
    // SHARE lock on the outbox holds every outcome record open, while claims (which write no event) go on.
    for (const email of emails) sink.rejectRecipients.set(email, 550);
    const blocker = new Client({ connectionString: loadConfig().databases.adminRegional.NA });
    await blocker.connect();
    const ledger = async (campaignId: string) =>
      Object.fromEntries(
        (
          await adminQuery<{ state: string; n: number }>(
            'NA',
            'SELECT state, count(*)::int AS n FROM campaign_deliveries WHERE campaign_id = $1 GROUP BY state',
            [campaignId],
          )
        ).map((r) => [r.state, r.n]),
      ) as Record<string, number | undefined>;
    try {
      const api = (method: string, path: string, body?: unknown) =>
        http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
      const created = await api('POST', '/v1/campaigns', {
        name: 'window',
        subject: 's',
        fromEmail: 'a@shop.example',
        html: '<p>x</p>',
        audience: { lists: ['window'] },
      });
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE outbox IN SHARE MODE');
      expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);

      // The sender fills its window, then waits: claimed rows stay `sending` until their outcomes are written.
      let previous = -1;
      let steadySince = Date.now();
      await waitFor(
        async () => {
          const sending = (await ledger(created.body.id)).sending ?? 0;
          if (sending !== previous) [previous, steadySince] = [sending, Date.now()];
          return sending > 0 && Date.now() - steadySince >= 1500;
        },
        { what: 'the number of claimed messages to settle', timeoutMs: 20000, intervalMs: 100 },
      );
      const blocked = await ledger(created.body.id);
      expect(blocked.sending).toBeLessThanOrEqual(SEND_WINDOW);
      expect(blocked.sending).toBeGreaterThanOrEqual(SEND_WINDOW / 2);
      expect(blocked.pending).toBe(AUDIENCE - blocked.sending!);

      await blocker.query('ROLLBACK');
      await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
        what: 'the campaign to finish once outcomes can be written',
        timeoutMs: 60000,
      });
      expect((await api('GET', `/v1/campaigns/${created.body.id}/report`)).body).toMatchObject({
        sent: 0,
        bounced: AUDIENCE,
        unknown: 0,
        failed: 0,
      });
    } finally {
      await blocker.end();
    }
  }, 120000);
});
