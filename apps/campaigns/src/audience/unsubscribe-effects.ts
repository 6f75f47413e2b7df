import type { EventEnvelope, UnsubscribeRecordedV1 } from '@missive/contracts';

/** What a batch of `unsubscribe.recorded` events does to one tenant's projection and reports. */
export interface TenantUnsubscribeEffects {
  tenantId: string;
  /** Contacts that left everything: their projection rows become `unsubscribed` (R-U2). */
  optedOut: string[];
  /** Contacts that left some lists, in event order (a later event applies after an earlier one). */
  listsLeft: { contactId: string; lists: string[] }[];
  /** Unsubscribes counted per campaign (R-S7), campaigns in id order. */
  perCampaign: { campaignId: string; count: number }[];
}

/**
 * Groups a batch by tenant, in tenant id order, so the consumer writes each tenant's effects in a few set-based
 * statements and takes each campaign's report row once, in a fixed order, last: transactions of concurrent batches
 * then hold a report row for one statement rather than for their whole batch, and never wait on each other in a cycle.
 */
export function unsubscribeEffects(
  events: readonly EventEnvelope<UnsubscribeRecordedV1>[],
): TenantUnsubscribeEffects[] {
  const byTenant = new Map<
    string,
    { optedOut: Set<string>; listsLeft: TenantUnsubscribeEffects['listsLeft']; counts: Map<string, number> }
  >();
  for (const event of events) {
    if (!event.tenantId) continue;
    let tenant = byTenant.get(event.tenantId);
    if (!tenant) {
      tenant = { optedOut: new Set(), listsLeft: [], counts: new Map() };
      byTenant.set(event.tenantId, tenant);
    }
    const { contactId, lists, campaignId } = event.data;
    if (lists === null) tenant.optedOut.add(contactId);
    else tenant.listsLeft.push({ contactId, lists });
    if (campaignId) tenant.counts.set(campaignId, (tenant.counts.get(campaignId) ?? 0) + 1);
  }
  return [...byTenant.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tenantId, t]) => ({
      tenantId,
      optedOut: [...t.optedOut],
      listsLeft: t.listsLeft,
      perCampaign: [...t.counts.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([campaignId, count]) => ({ campaignId, count })),
    }));
}
