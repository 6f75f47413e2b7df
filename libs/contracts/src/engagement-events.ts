import type { EventEnvelope } from './event-envelope';

/**
 * The engagement counts of one campaign, each defined once by the tracking service, which owns them (R-K4, R-S7):
 * hits stored after the blocks and anonymisation, one per accepted open or click. "Opens" and "clicks" are the
 * person's (human) hits; machine hits (Apple Mail Privacy Protection, link scanners, prefetch) are counted beside
 * them, never inside. A unique count is the number of contacts whose first human hit of that kind it counted; a
 * blocked contact's anonymous hits count in opens or clicks only.
 */
export interface EngagementCountsV1 {
  opens: number;
  uniqueOpens: number;
  machineOpens: number;
  clicks: number;
  uniqueClicks: number;
  machineClicks: number;
}

/**
 * `campaign.engagement-counted` v1: a campaign's engagement counts after tracking stored a batch of its hits,
 * published by tracking in the transaction that changed them. Absolute counts, not increments, so a replay or a
 * redelivery changes nothing; `revision` grows with every change, so a consumer keeps the highest it has seen and
 * an older event arriving late is ignored. Campaign id and counts only, never a contact. Key: the campaign id.
 */
export interface CampaignEngagementCountedV1 extends EngagementCountsV1 {
  campaignId: string;
  revision: number;
  /** When tracking counted this revision (ISO-8601). */
  countedAt: string;
}

export const CAMPAIGN_ENGAGEMENT_COUNTED = 'campaign.engagement-counted';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COUNTS = ['opens', 'uniqueOpens', 'machineOpens', 'clicks', 'uniqueClicks', 'machineClicks'] as const;
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * The counts of a `campaign.engagement-counted` envelope with its tenant, or null for any other version or a
 * malformed event (a consumer skips it rather than store counts it cannot trust).
 */
export function engagementCountedOf(
  envelope: EventEnvelope<unknown>,
): (CampaignEngagementCountedV1 & { tenantId: string }) | null {
  if (envelope.version !== 1 || typeof envelope.tenantId !== 'string' || !UUID.test(envelope.tenantId)) return null;
  const d = envelope.data as Partial<CampaignEngagementCountedV1> | null;
  if (typeof d !== 'object' || d === null) return null;
  if (typeof d.campaignId !== 'string' || !UUID.test(d.campaignId)) return null;
  if (!isCount(d.revision) || d.revision === 0 || typeof d.countedAt !== 'string') return null;
  if (Number.isNaN(Date.parse(d.countedAt)) || !COUNTS.every((k) => isCount(d[k]))) return null;
  const counts = Object.fromEntries(COUNTS.map((k) => [k, d[k]])) as unknown as EngagementCountsV1;
  return {
    tenantId: envelope.tenantId,
    campaignId: d.campaignId,
    revision: d.revision,
    countedAt: d.countedAt,
    ...counts,
  };
}
