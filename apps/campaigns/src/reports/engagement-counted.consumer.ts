import { Controller } from '@nestjs/common';
import { CAMPAIGN_ENGAGEMENT_COUNTED, type CampaignEngagementCountedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { EngagementCountsRepository } from './engagement-counts.repository';
import { newestCountsByTenant } from './engagement-counts.rules';
import { enterTenant } from '@missive/database';

/**
 * The report's opens and clicks (R-S7) are tracking's: it owns engagement and counts after its blocks and
 * anonymisation (R-K4), so this service keeps only each campaign's counts and nothing per contact.
 */
@Controller()
export class EngagementCountedConsumer {
  constructor(private readonly counts: EngagementCountsRepository) {}

  @ConsumeEvents('campaigns', CAMPAIGN_ENGAGEMENT_COUNTED)
  async counted(batch: EventBatch<CampaignEngagementCountedV1>): Promise<void> {
    const m = batch.manager!;
    for (const [tenantId, counts] of newestCountsByTenant(batch.events)) {
      await enterTenant(m, tenantId);
      await this.counts.keepNewest(m, tenantId, counts);
    }
  }
}
