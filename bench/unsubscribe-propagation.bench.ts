import { DevMailSink } from '@missive/dev-mail';
import { optOutSetKey } from '@missive/redis';
import {
  adminQuery,
  closeAdminPools,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
} from '@missive/testing';
import { LinkTokenSigner } from '@missive/tokens';
import { seedContacts, waitForUnsubscribeProjection } from '../apps/campaigns/test/campaign-helpers';
import { campaignsService } from '../apps/campaigns/src/service';
import { supportService } from '../apps/support/src/service';
import { unsubscribeService } from '../apps/unsubscribe/src/service';
import type { BenchRow } from './bench-report';

const POSTS = 1000;
const CAMPAIGN = 2000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Issue 8: 1,000 one-click POSTs while a campaign is sending. For each, the time from the 200 until (a) the opt-out
 * set that every send gate checks first shows it, and (b) the campaigns service's event-fed projection shows it.
 */
export async function runPropagationBench(): Promise<BenchRow[]> {
  const sink = new DevMailSink({ port: 0, answerDelayMs: 20, keep: 10 });
  await sink.start();
  const services = await startTestServices([supportService, campaignsService, unsubscribeService], {
    SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    INBOUND_SMTP_PORT: '0',
    LOG_LEVEL: 'error',
  });
  try {
    const t = await createTestTenant(services, { region: 'NA' });
    const stamp = Date.now();
    const sending = await seedContacts(
      services,
      t.tenant,
      Array.from({ length: CAMPAIGN }, (_, i) => ({ email: `c${i}-${stamp}@bench.example`, lists: ['running'] })),
    );
    const leaving = await seedContacts(
      services,
      t.tenant,
      Array.from({ length: POSTS }, (_, i) => ({ email: `u${i}-${stamp}@bench.example`, lists: ['running'] })),
    );
    await waitForUnsubscribeProjection('NA', leaving);
    const api = (method: string, path: string, body?: unknown) =>
      http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
    const created = await api('POST', '/v1/campaigns', {
      name: 'running',
      subject: 's',
      fromEmail: 'a@shop.example',
      html: '<p>x</p>',
      audience: { lists: ['running'] },
    });
    await api('POST', `/v1/campaigns/${created.body.id}/send`);
    await waitFor(() => sink.total > 50, { what: 'the campaign to be sending', timeoutMs: 60000 });

    const signer = new LinkTokenSigner(services.config.linkTokenKeys);
    const redis = services.platform.redis.forRegion('NA');
    const answeredAt = new Map<string, number>();
    const gateSeen: number[] = [];
    const projectionSeen = new Map<string, number>();
    let next = 0;
    const poster = async () => {
      for (let i = next++; i < POSTS; i = next++) {
        const contactId = leaving[i];
        const token = signer.mint({
          kind: 'unsubscribe',
          tenantId: t.tenant.id,
          region: 'NA',
          campaignId: created.body.id,
          contactId,
        });
        const r = await http('POST', `${services.publicUrl}/u/${token}`, {
          raw: 'List-Unsubscribe=One-Click',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        if (r.status !== 200) throw new Error(`one-click answered ${r.status}`);
        const at = performance.now();
        answeredAt.set(contactId, at);
        // (a) what the send gate reads first: the region's opt-out set.
        while ((await redis.sismember(optOutSetKey('NA', t.tenant.id), contactId)) !== 1)
          await new Promise((res) => setImmediate(res));
        gateSeen.push(performance.now() - at);
      }
    };
    const watcher = (async () => {
      while (projectionSeen.size < POSTS) {
        // Only the contacts not seen yet: the watcher shares the event loop with the consumer it measures, and
        // re-reading every unsubscribed row 200 times a second slowed that consumer down to ~35 events a second.
        const unseen = leaving.filter((id) => !projectionSeen.has(id));
        const rows = await adminQuery<{ contact_id: string }>(
          'NA',
          `SELECT contact_id FROM campaign_contacts WHERE contact_id = ANY($1) AND status = 'unsubscribed'`,
          [unseen],
        );
        const now = performance.now();
        for (const { contact_id } of rows)
          if (!projectionSeen.has(contact_id) && answeredAt.has(contact_id)) projectionSeen.set(contact_id, now);
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, poster));
    const postSeconds = (performance.now() - started) / 1000;
    await Promise.race([watcher, new Promise((res) => setTimeout(res, 60000))]);
    const projection = [...projectionSeen].map(([id, seen]) => seen - answeredAt.get(id)!);
    const stillSending = (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status;
    void sending;
    return [
      {
        metric: 'one-click POSTs',
        value: POSTS,
        unit: 'requests',
        note: `${(POSTS / postSeconds).toFixed(0)} /s, 10 concurrent, campaign of ${CAMPAIGN + POSTS} sending (${stillSending} at the end)`,
      },
      {
        metric: 'gate sees it (opt-out set), p50',
        value: Number(percentile(gateSeen, 50).toFixed(2)),
        unit: 'ms',
        note: 'written before the 200',
      },
      {
        metric: 'gate sees it (opt-out set), p99',
        value: Number(percentile(gateSeen, 99).toFixed(2)),
        unit: 'ms',
        note: 'bar < 1000, goal < 200',
      },
      {
        metric: 'projection via Kafka, p50',
        value: Math.round(percentile(projection, 50)),
        unit: 'ms',
        note: 'outbox → relay → Kafka → consumer',
      },
      {
        metric: 'projection via Kafka, p99',
        value: Math.round(percentile(projection, 99)),
        unit: 'ms',
        note: `${projection.length}/${POSTS} seen within 60 s`,
      },
    ];
  } finally {
    await services.stop();
    await sink.stop();
    await closeAdminPools();
  }
}
