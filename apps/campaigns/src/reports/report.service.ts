import { Injectable } from '@nestjs/common';
import { Databases } from '@missive/database';
import { NotFoundError } from '@missive/http';
import { tenantDb, type TenantContext } from '@missive/tenancy';

export interface CampaignReport {
  sent: number;
  failed: number;
  bounced: number;
  complained: number;
  unknown: number;
  skipped: Record<string, number>;
  opens: number;
  uniqueOpens: number;
  machineOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribes: number;
}

/**
 * The report (R-S7): aggregate and anonymous — counts from the delivery ledger and the engagement counters, never
 * a contact id or address. Exactly the fields of API.md.
 */
@Injectable()
export class ReportService {
  constructor(private readonly databases: Databases) {}

  async report(tenant: TenantContext, campaignId: string): Promise<CampaignReport> {
    return tenantDb(this.databases, tenant, async (m) => {
      const exists = await m.query('SELECT 1 FROM campaigns WHERE tenant_id = $1 AND id = $2', [tenant.id, campaignId]);
      if (exists.length === 0) throw new NotFoundError('Campaign');
      const states: { state: string; reason: string | null; n: number }[] = await m.query(
        `SELECT state, CASE WHEN state = 'skipped' THEN reason END AS reason, count(*)::int AS n
         FROM campaign_deliveries WHERE tenant_id = $1 AND campaign_id = $2 GROUP BY 1, 2`,
        [tenant.id, campaignId],
      );
      // R-S8: bounces heard after the relay's acceptance (DSNs, webhooks) and complaints; a bounce the ledger holds
      // already is not counted twice.
      const [feedback]: { bounced: number; complained: number }[] = await m.query(
        `SELECT count(*) FILTER (WHERE f.outcome = 'hard-bounce' AND d.state IS DISTINCT FROM 'bounced')::int AS bounced,
           count(*) FILTER (WHERE f.outcome = 'complaint')::int AS complained
         FROM campaign_delivery_feedback f
         LEFT JOIN campaign_deliveries d ON d.campaign_id = f.campaign_id AND d.contact_id = f.contact_id
         WHERE f.tenant_id = $1 AND f.campaign_id = $2`,
        [tenant.id, campaignId],
      );
      const [engagement] = await m.query(
        `SELECT opens, unique_opens, machine_opens, clicks, unique_clicks, unsubscribes
         FROM campaign_engagement WHERE tenant_id = $1 AND campaign_id = $2`,
        [tenant.id, campaignId],
      );
      const count = (state: string) => states.filter((s) => s.state === state).reduce((a, s) => a + s.n, 0);
      const skipped: Record<string, number> = {};
      for (const s of states) if (s.state === 'skipped' && s.reason) skipped[s.reason] = s.n;
      return {
        sent: count('sent'),
        failed: count('failed'),
        bounced: count('bounced') + feedback.bounced,
        complained: feedback.complained,
        unknown: count('unknown'),
        skipped,
        opens: engagement?.opens ?? 0,
        uniqueOpens: engagement?.unique_opens ?? 0,
        machineOpens: engagement?.machine_opens ?? 0,
        clicks: engagement?.clicks ?? 0,
        uniqueClicks: engagement?.unique_clicks ?? 0,
        unsubscribes: engagement?.unsubscribes ?? 0,
      };
    });
  }
}
