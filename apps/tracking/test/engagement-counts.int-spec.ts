import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CAMPAIGN_ENGAGEMENT_COUNTED,
  TRACKING_HIT,
  type CampaignEngagementCountedV1,
  type EventEnvelope,
  type TrackingHitV1,
} from '@missive/contracts';
import { kafkaConnection } from '@missive/kafka';
import { adminQuery, startTestServices, waitFor, type TestServices } from '@missive/testing';
import { campaignsService } from '../../campaigns/src/service';
import { trackingService } from '../src/service';
import { CHROME, envelope, LINK_TOKEN_KEYS, produce } from './tracking-fixtures';

const NA = 'NA' as const;

interface Counts {
  opens: number;
  uniqueOpens: number;
  machineOpens: number;
  clicks: number;
  uniqueClicks: number;
}

/**
 * Engagement has one owner (R-K4, R-S7): tracking counts the hits it stored and publishes each campaign's counts
 * (`campaign.engagement-counted`), which the campaigns service keeps as the report's row. Unique opens and clicks
 * stay right across batches and a restart of both services, and a replayed or late count changes nothing.
 */
describe('engagement counts from tracking to the campaigns report (R-K4, R-S7)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-engagement-'));
  let services: TestServices | undefined;
  const tenantId = randomUUID();
  const campaignId = randomUUID();
  const [ann, bob] = [randomUUID(), randomUUID()];

  /** A campaign row as the campaigns service holds it: it keeps counts only for its tenant's campaigns (R-T1). */
  const createCampaign = (id: string) =>
    adminQuery(
      NA,
      `INSERT INTO campaigns (id, tenant_id, name, subject, from_email, html, audience, status)
       VALUES ($1, $2, 'E', 's', 'news@shop.example', '<p>x</p>', '{"tags": ["e"]}', 'sent')`,
      [id, tenantId],
    );

  const start = async () => {
    services = await startTestServices([trackingService, campaignsService], { LINK_TOKEN_KEYS, DATA_DIR: dataDir });
    return services;
  };

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const hit = (contactId: string, kind: 'open' | 'click', machine: boolean): EventEnvelope<TrackingHitV1> =>
    envelope(TRACKING_HIT, tenantId, {
      campaignId,
      contactId,
      kind,
      ...(kind === 'click' ? { linkIndex: 0 } : {}),
      at: new Date().toISOString(),
      ipTruncated: machine ? '17.58.100.0' : '192.0.2.0',
      userAgent: machine ? 'Mozilla/5.0' : CHROME,
      machine,
    });
  const sendHits = async (s: TestServices, hits: EventEnvelope<TrackingHitV1>[]) =>
    produce(kafkaConnection(s.config, NA), NA, TRACKING_HIT, hits, () => campaignId);

  /** The campaigns service's row for a campaign: what GET /v1/campaigns/{id}/report shows. */
  const reportRow = async (campaign: string) =>
    (
      await adminQuery<Counts & { revision: number }>(
        NA,
        `SELECT opens, unique_opens AS "uniqueOpens", machine_opens AS "machineOpens", clicks,
                unique_clicks AS "uniqueClicks", counted_revision::int AS revision
         FROM campaign_engagement WHERE tenant_id = $1 AND campaign_id = $2`,
        [tenantId, campaign],
      )
    )[0];
  const trackingRevision = async () =>
    (
      await adminQuery<{ revision: number }>(
        NA,
        `SELECT revision::int FROM tracking_campaign_stats WHERE tenant_id = $1 AND campaign_id = $2`,
        [tenantId, campaignId],
      )
    )[0]?.revision;
  const waitForReport = (expected: Counts, what: string) =>
    waitFor(
      async () => {
        const row = await reportRow(campaignId);
        if (!row) return null;
        const { revision, ...counts } = row;
        return JSON.stringify(counts) === JSON.stringify(expected) ? revision : null;
      },
      { what, timeoutMs: 30000 },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; last row ${JSON.stringify(await reportRow(campaignId))}`);
    });

  it('R-S7, R-K4: unique counts hold across batches and a restart; replayed and late counts change nothing', async () => {
    await createCampaign(campaignId);
    let s = await start();
    const annOpens = hit(ann, 'open', false);
    // Batch 1: Apple's proxy fetches both pixels, Ann opens and clicks.
    await sendHits(s, [hit(ann, 'open', true), hit(bob, 'open', true), annOpens, hit(ann, 'click', false)]);
    await waitForReport(
      { opens: 1, uniqueOpens: 1, machineOpens: 2, clicks: 1, uniqueClicks: 1 },
      'the first batch in the report',
    );

    // Restart both services: what is unique is known from the database, not from memory.
    await s.stop();
    services = undefined;
    s = await start();
    // Batch 2: Ann opens again (not a new unique open), Bob's first own open, a redelivery of Ann's first open.
    await sendHits(s, [hit(ann, 'open', false), hit(bob, 'open', false), annOpens]);
    const revision = await waitForReport(
      { opens: 3, uniqueOpens: 2, machineOpens: 2, clicks: 1, uniqueClicks: 1 },
      'the second batch in the report',
    );
    expect(await trackingRevision()).toBe(revision);

    // A late count of an older revision (a replay from the topic), then a marker of another campaign in the same
    // partition: once the marker is stored, the late count was handled, and left the newer counts alone.
    const marker = randomUUID();
    await createCampaign(marker);
    const counted = (campaign: string, rev: number): EventEnvelope<CampaignEngagementCountedV1> =>
      envelope(CAMPAIGN_ENGAGEMENT_COUNTED, tenantId, {
        campaignId: campaign,
        revision: rev,
        countedAt: new Date().toISOString(),
        opens: 1,
        uniqueOpens: 1,
        machineOpens: 0,
        clicks: 0,
        uniqueClicks: 0,
        machineClicks: 0,
      });
    await produce(
      kafkaConnection(s.config, NA),
      NA,
      CAMPAIGN_ENGAGEMENT_COUNTED,
      [counted(campaignId, revision - 1), counted(marker, 1)],
      () => campaignId,
    );
    await waitFor(async () => (await reportRow(marker)) !== undefined, { what: 'the marker', timeoutMs: 30000 });
    expect(await reportRow(campaignId)).toEqual({
      opens: 3,
      uniqueOpens: 2,
      machineOpens: 2,
      clicks: 1,
      uniqueClicks: 1,
      revision,
    });
  }, 90000);
});
