import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CountedEngagement } from './engagement-counts.rules';

/** A campaign's engagement counts as the report reads them. */
export interface EngagementRow {
  opens: number;
  unique_opens: number;
  machine_opens: number;
  clicks: number;
  unique_clicks: number;
  unsubscribes: number;
}

/**
 * The report's engagement counts (R-S7): one row per campaign, never a contact id. Opens and clicks as tracking
 * publishes them; the unsubscribes as the contact projection hears them.
 */
@Injectable()
export class EngagementCountsRepository {
  /**
   * Stores one tenant's counts; a campaign's row changes only for a newer revision than it holds, so a replayed,
   * redelivered or late event changes nothing. Runs in the consumer's inbox transaction with `app.tenant_id` set.
   * Only the tenant's own campaigns are kept (R-T1): an upsert reaching another tenant's row is refused by
   * row-level security before its WHERE is read, and the consumer would retry that batch for good.
   */
  async keepNewest(m: EntityManager, tenantId: string, counts: CountedEngagement[]): Promise<void> {
    if (counts.length === 0) return;
    await m.query(
      `INSERT INTO campaign_engagement AS e
         (tenant_id, campaign_id, counted_revision, opens, unique_opens, machine_opens, clicks, unique_clicks)
       SELECT $1, u.* FROM unnest($2::uuid[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])
         AS u(campaign_id, counted_revision, opens, unique_opens, machine_opens, clicks, unique_clicks)
        WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.tenant_id = $1 AND c.id = u.campaign_id)
       ON CONFLICT (campaign_id) DO UPDATE SET
         counted_revision = EXCLUDED.counted_revision,
         opens = EXCLUDED.opens,
         unique_opens = EXCLUDED.unique_opens,
         machine_opens = EXCLUDED.machine_opens,
         clicks = EXCLUDED.clicks,
         unique_clicks = EXCLUDED.unique_clicks
       WHERE e.tenant_id = EXCLUDED.tenant_id AND e.counted_revision < EXCLUDED.counted_revision`,
      [
        tenantId,
        counts.map((c) => c.campaignId),
        counts.map((c) => c.revision),
        counts.map((c) => c.opens),
        counts.map((c) => c.uniqueOpens),
        counts.map((c) => c.machineOpens),
        counts.map((c) => c.clicks),
        counts.map((c) => c.uniqueClicks),
      ],
    );
  }

  /** The campaign's engagement row; undefined before anything was counted for it. */
  async find(m: EntityManager, tenantId: string, campaignId: string): Promise<EngagementRow | undefined> {
    const [engagement]: EngagementRow[] = await m.query(
      `SELECT opens, unique_opens, machine_opens, clicks, unique_clicks, unsubscribes
         FROM campaign_engagement WHERE tenant_id = $1 AND campaign_id = $2`,
      [tenantId, campaignId],
    );
    return engagement;
  }

  /**
   * Adds unsubscribes to the campaigns' rows, in one statement, campaigns in id order: the report rows are locked
   * until commit, by every batch. Only the tenant's own campaigns count (R-T1): an upsert reaching another tenant's
   * report row is refused by row-level security whatever its WHERE, and the consumer would retry that batch for good.
   */
  async addUnsubscribes(
    m: EntityManager,
    tenantId: string,
    perCampaign: { campaignId: string; count: number }[],
  ): Promise<void> {
    await m.query(
      `INSERT INTO campaign_engagement (tenant_id, campaign_id, unsubscribes)
           SELECT $1, campaign_id, n FROM unnest($2::uuid[], $3::int[]) AS u(campaign_id, n)
            WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.tenant_id = $1 AND c.id = u.campaign_id)
           ON CONFLICT (campaign_id) DO UPDATE SET unsubscribes = campaign_engagement.unsubscribes + EXCLUDED.unsubscribes`,
      [tenantId, perCampaign.map((c) => c.campaignId), perCampaign.map((c) => c.count)],
    );
  }
}
