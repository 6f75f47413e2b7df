import { engagementCountedOf, type CampaignEngagementCountedV1, type EventEnvelope } from '@missive/contracts';

export type CountedEngagement = CampaignEngagementCountedV1 & { tenantId: string };

/**
 * What a batch of `campaign.engagement-counted` events leaves for each campaign (R-S7): its newest revision, by
 * tenant. Counts are absolute, so older revisions in the batch add nothing; malformed events and other versions
 * are skipped. Tenants and campaigns in a stable order, so concurrent batches lock rows alike.
 */
export function newestCountsByTenant(events: readonly EventEnvelope<unknown>[]): Map<string, CountedEngagement[]> {
  const newest = new Map<string, CountedEngagement>();
  for (const event of events) {
    const counted = engagementCountedOf(event);
    if (!counted) continue;
    const key = `${counted.tenantId}/${counted.campaignId}`;
    const kept = newest.get(key);
    if (!kept || counted.revision > kept.revision) newest.set(key, counted);
  }
  const byTenant = new Map<string, CountedEngagement[]>();
  for (const key of [...newest.keys()].sort()) {
    const counted = newest.get(key)!;
    byTenant.set(counted.tenantId, [...(byTenant.get(counted.tenantId) ?? []), counted]);
  }
  return byTenant;
}
