import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A bounce or complaint heard after the relay accepted the message (a DSN, an ARF report, a provider webhook). */
export type FeedbackOutcome = 'hard-bounce' | 'soft-bounce' | 'complaint';

/** One tenant's deliverability over the last 7 days (R-S8), as `tenant_deliverability_7d` returns it. */
export interface TenantDeliverabilityRow {
  tenant_id: string;
  delivered: string;
  bounced: string;
  bounce_rate: number;
  complaint_rate: number;
}

/**
 * The delivery feedback (R-S7, R-S8): one row per (campaign, contact, outcome). Queries only; tenant transactions
 * (R-T1).
 */
@Injectable()
export class DeliveryFeedbackRepository {
  /**
   * Records the outcome once, for a campaign of the tenant only; false when it was there already (or the campaign
   * is not the tenant's).
   */
  async recordOnce(
    m: EntityManager,
    tenantId: string,
    campaignId: string,
    contactId: string,
    outcome: FeedbackOutcome,
  ): Promise<boolean> {
    const inserted: { campaign_id: string }[] = await m.query(
      `INSERT INTO campaign_delivery_feedback (tenant_id, campaign_id, contact_id, outcome)
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM campaigns WHERE tenant_id = $1 AND id = $2)
         ON CONFLICT DO NOTHING RETURNING campaign_id`,
      [tenantId, campaignId, contactId, outcome],
    );
    return inserted.length > 0;
  }

  /**
   * The report's feedback counts (R-S7, R-S8): hard bounces heard after the relay's acceptance (DSNs, webhooks),
   * except those the ledger holds already as bounced, and complaints.
   */
  async reportCounts(
    m: EntityManager,
    tenantId: string,
    campaignId: string,
  ): Promise<{ bounced: number; complained: number }> {
    const [feedback]: { bounced: number; complained: number }[] = await m.query(
      `SELECT count(*) FILTER (WHERE f.outcome = 'hard-bounce' AND d.state IS DISTINCT FROM 'bounced')::int AS bounced,
           count(*) FILTER (WHERE f.outcome = 'complaint')::int AS complained
         FROM campaign_delivery_feedback f
         LEFT JOIN campaign_deliveries d ON d.campaign_id = f.campaign_id AND d.contact_id = f.contact_id
         WHERE f.tenant_id = $1 AND f.campaign_id = $2`,
      [tenantId, campaignId],
    );
    return feedback;
  }

  /**
   * The rates of the given tenants over the 7 days before `at`, for the metrics (R-S8): one round trip on a region's
   * database, row-level security on (R-T1).
   */
  async deliverability7d(
    db: Pick<EntityManager, 'query'>,
    tenantIds: string[],
    at: Date,
  ): Promise<TenantDeliverabilityRow[]> {
    return db.query(
      'SELECT tenant_id, delivered, bounced, bounce_rate, complaint_rate FROM tenant_deliverability_7d($1::uuid[], $2)',
      [tenantIds, at],
    );
  }

  /** The complaint guard's figures (R-S8): the campaign's delivered messages (from the ledger) and its complaints. */
  async complaintCounts(
    m: EntityManager,
    tenantId: string,
    campaignId: string,
  ): Promise<{ delivered: number; complaints: number }> {
    const [counts]: { delivered: string; complaints: string }[] = await m.query(
      `SELECT (SELECT count(*) FROM campaign_deliveries
              WHERE tenant_id = $1 AND campaign_id = $2 AND state = 'sent') AS delivered,
            (SELECT count(*) FROM campaign_delivery_feedback
              WHERE tenant_id = $1 AND campaign_id = $2 AND outcome = 'complaint') AS complaints`,
      [tenantId, campaignId],
    );
    return { delivered: Number(counts.delivered), complaints: Number(counts.complaints) };
  }
}
