import { Injectable } from '@nestjs/common';
import { Databases } from '@missive/database';
import { NotFoundError } from '@missive/http';
import { tenantDb, type TenantContext } from '@missive/tenancy';
import { CampaignRepository } from '../campaigns/campaign.repository';
import { DeliveryFeedbackRepository } from '../sending/delivery-feedback.repository';
import { DeliveryLedgerRepository } from '../sending/delivery-ledger.repository';
import { EngagementCountsRepository } from './engagement-counts.repository';

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
  constructor(
    private readonly databases: Databases,
    private readonly campaigns: CampaignRepository,
    private readonly ledger: DeliveryLedgerRepository,
    private readonly feedback: DeliveryFeedbackRepository,
    private readonly engagementCounts: EngagementCountsRepository,
  ) {}

  async report(tenant: TenantContext, campaignId: string): Promise<CampaignReport> {
    return tenantDb(this.databases, tenant, async (m) => {
      if (!(await this.campaigns.exists(m, tenant.id, campaignId))) throw new NotFoundError('Campaign');
      const states = await this.ledger.stateCounts(m, tenant.id, campaignId);
      // R-S8: bounces heard after the relay's acceptance (DSNs, webhooks) and complaints; a bounce the ledger holds
      // already is not counted twice.
      const feedback = await this.feedback.reportCounts(m, tenant.id, campaignId);
      const engagement = await this.engagementCounts.find(m, tenant.id, campaignId);
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
