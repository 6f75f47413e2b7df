import { randomUUID } from 'node:crypto';
import { TENANT_NOTICE_ISSUED, type Region, type TenantNoticeIssuedV1 } from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
import type { EntityManager } from 'typeorm';
import { complaintGuard, complaintNoticeSummary, COMPLAINT_RATE_PAUSE_REASON } from './complaint-guard.rules';

/**
 * R-S8: after complaints were recorded for a campaign, counts its delivered messages and complaints and, past the
 * guard's threshold, pauses it (`paused_reason` `complaint_rate`) and writes the tenant's notice event to the
 * outbox, in the caller's transaction (the consumer's, with its inbox), with `app.tenant_id` set to the tenant.
 * Only a campaign still sending or scheduled changes state, so a campaign already paused gets no second notice.
 */
export async function applyComplaintGuard(
  m: EntityManager,
  region: Region,
  tenantId: string,
  campaignId: string,
): Promise<boolean> {
  // Complaints of one campaign arrive on several partitions, recorded by concurrent transactions: each takes the
  // campaign's row lock before counting, so the last of them counts every complaint the others committed.
  const [campaign]: { status: string }[] = await m.query(
    'SELECT status FROM campaigns WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
    [tenantId, campaignId],
  );
  if (campaign?.status !== 'sending' && campaign?.status !== 'scheduled') return false;
  const [counts]: { delivered: string; complaints: string }[] = await m.query(
    `SELECT (SELECT count(*) FROM campaign_deliveries
              WHERE tenant_id = $1 AND campaign_id = $2 AND state = 'sent') AS delivered,
            (SELECT count(*) FROM campaign_delivery_feedback
              WHERE tenant_id = $1 AND campaign_id = $2 AND outcome = 'complaint') AS complaints`,
    [tenantId, campaignId],
  );
  const delivered = Number(counts.delivered);
  const complaints = Number(counts.complaints);
  if (!complaintGuard({ delivered, complaints }).pause) return false;

  const paused: { id: string }[] = await m.query(
    `UPDATE campaigns SET status = 'paused', paused_reason = $3, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 AND status IN ('sending', 'scheduled') RETURNING id`,
    [tenantId, campaignId, COMPLAINT_RATE_PAUSE_REASON],
  );
  if (paused.length === 0) return false;
  const data: TenantNoticeIssuedV1 = {
    noticeId: randomUUID(),
    campaignId,
    kind: 'complaint-rate',
    summary: complaintNoticeSummary(campaignId, delivered, complaints),
  };
  await appendToOutbox(m, [{ type: TENANT_NOTICE_ISSUED, region, tenantId, key: tenantId, data }]);
  return true;
}
