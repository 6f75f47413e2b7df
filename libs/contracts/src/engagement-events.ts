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

/**
 * `tracking.contact-engaged` v1: a contact's latest human open and click of any campaign of the tenant, as tracking
 * stored them (R-C9's `openedWithinDays` / `clickedWithinDays`). Published by tracking in the transaction that
 * stored the hits, only for contacts whose hits it keeps (a blocked contact's hits are anonymised and never named,
 * R-K4), and never for machine hits. Absolute times, not increments: a consumer keeps the later of what it holds
 * and what it reads, so a replay or a late event changes nothing. Ids and times only. Key: the contact id.
 */
export interface ContactEngagedV1 {
  contactId: string;
  /** ISO-8601; null when this batch held no human open of the contact. */
  lastOpenedAt: string | null;
  /** ISO-8601; null when this batch held no human click of the contact. */
  lastClickedAt: string | null;
}

export const CONTACT_ENGAGED = 'tracking.contact-engaged';

const isInstant = (t: unknown): t is string | null =>
  t === null || (typeof t === 'string' && t.length <= 40 && !Number.isNaN(Date.parse(t)));

/** The facts of a `tracking.contact-engaged` envelope with its tenant, or null for another version or a malformed one. */
export function contactEngagedOf(envelope: EventEnvelope<unknown>): (ContactEngagedV1 & { tenantId: string }) | null {
  if (envelope.version !== 1 || typeof envelope.tenantId !== 'string' || !UUID.test(envelope.tenantId)) return null;
  const d = envelope.data as Partial<ContactEngagedV1> | null;
  if (typeof d !== 'object' || d === null || typeof d.contactId !== 'string' || !UUID.test(d.contactId)) return null;
  if (!isInstant(d.lastOpenedAt) || !isInstant(d.lastClickedAt)) return null;
  if (d.lastOpenedAt === null && d.lastClickedAt === null) return null;
  return {
    tenantId: envelope.tenantId,
    contactId: d.contactId,
    lastOpenedAt: d.lastOpenedAt === null ? null : new Date(d.lastOpenedAt).toISOString(),
    lastClickedAt: d.lastClickedAt === null ? null : new Date(d.lastClickedAt).toISOString(),
  };
}
