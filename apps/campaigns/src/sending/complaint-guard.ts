import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TENANT_NOTICE_ISSUED, type Region, type TenantNoticeIssuedV1 } from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
import type { EntityManager } from 'typeorm';
import { CampaignRepository } from '../campaigns/campaign.repository';
import { complaintGuard, complaintNoticeSummary, COMPLAINT_RATE_PAUSE_REASON } from './complaint-guard.rules';
import { DeliveryFeedbackRepository } from './delivery-feedback.repository';

/**
 * R-S8: after complaints were recorded for a campaign, counts its delivered messages and complaints and, past the
 * guard's threshold, pauses it (`paused_reason` `complaint_rate`) and writes the tenant's notice event to the
 * outbox, in the caller's transaction (the consumer's, with its inbox), with `app.tenant_id` set to the tenant.
 * Only a campaign still sending or scheduled changes state, so a campaign already paused gets no second notice.
 */
@Injectable()
export class ComplaintGuard {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly feedback: DeliveryFeedbackRepository,
  ) {}

  async apply(m: EntityManager, region: Region, tenantId: string, campaignId: string): Promise<boolean> {
    // Complaints of one campaign arrive on several partitions, recorded by concurrent transactions: each takes the
    // campaign's row lock before counting, so the last of them counts every complaint the others committed.
    const status = await this.campaigns.lockStatus(m, tenantId, campaignId);
    if (status !== 'sending' && status !== 'scheduled') return false;
    const { delivered, complaints } = await this.feedback.complaintCounts(m, tenantId, campaignId);
    if (!complaintGuard({ delivered, complaints }).pause) return false;

    if (!(await this.campaigns.pauseUnfinished(m, tenantId, campaignId, COMPLAINT_RATE_PAUSE_REASON))) return false;
    const data: TenantNoticeIssuedV1 = {
      noticeId: randomUUID(),
      campaignId,
      kind: 'complaint-rate',
      summary: complaintNoticeSummary(campaignId, delivered, complaints),
    };
    await appendToOutbox(m, [{ type: TENANT_NOTICE_ISSUED, region, tenantId, key: tenantId, data }]);
    return true;
  }
}
