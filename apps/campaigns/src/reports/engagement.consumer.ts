import { Controller } from '@nestjs/common';
import type { TrackingHitV1 } from '@missive/contracts';
import { queryRows } from '@missive/database';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';

/**
 * Report counters from tracking hits (R-S7): opens, unique opens, machine opens, clicks, unique clicks. Unique means
 * the first hit of that kind from that contact; the per-contact flags stay inside the service, the report shows
 * only counts. Hits without a contact (erased, restricted, opted out: R-K4) count in the totals only; so does a hit
 * of a contact the projection knows as restricted (R-D1: kept, never processed), whose hit may carry its id.
 */
@Controller()
export class EngagementConsumer {
  @ConsumeEvents('campaigns', 'tracking.hit')
  async hits(batch: EventBatch<TrackingHitV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      if (!event.tenantId) continue;
      const hit = event.data;
      await m.query(`SELECT set_config('app.tenant_id', $1, true)`, [event.tenantId]);
      let first = false;
      if (hit.contactId && !hit.machine) {
        const column = hit.kind === 'open' ? 'opened' : 'clicked';
        const rows = await queryRows(
          m,
          `INSERT INTO campaign_engagement_contacts (tenant_id, campaign_id, contact_id, ${column})
           SELECT $1, $2, $3, true WHERE NOT EXISTS (SELECT 1 FROM campaign_contacts p
             WHERE p.tenant_id = $1 AND p.contact_id = $3 AND p.status = 'restricted')
           ON CONFLICT (campaign_id, contact_id) DO UPDATE SET ${column} = true WHERE campaign_engagement_contacts.${column} = false
           RETURNING 1`,
          [event.tenantId, hit.campaignId, hit.contactId],
        );
        first = rows.length === 1;
      }
      const open = hit.kind === 'open';
      await m.query(
        `INSERT INTO campaign_engagement (tenant_id, campaign_id, opens, unique_opens, machine_opens, clicks, unique_clicks)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (campaign_id) DO UPDATE SET opens = campaign_engagement.opens + EXCLUDED.opens,
           unique_opens = campaign_engagement.unique_opens + EXCLUDED.unique_opens,
           machine_opens = campaign_engagement.machine_opens + EXCLUDED.machine_opens,
           clicks = campaign_engagement.clicks + EXCLUDED.clicks,
           unique_clicks = campaign_engagement.unique_clicks + EXCLUDED.unique_clicks`,
        [
          event.tenantId,
          hit.campaignId,
          open && !hit.machine ? 1 : 0,
          open && first ? 1 : 0,
          open && hit.machine ? 1 : 0,
          !open && !hit.machine ? 1 : 0,
          !open && first ? 1 : 0,
        ],
      );
    }
  }
}
