import type { EventEnvelope, Region, TrackingHitPersonalV1, TrackingHitV1, TrackingHitV2 } from '@missive/contracts';
import type { TenantKeys } from '@missive/tenant-keys';
import { sealedPersonalOf } from './engagement.rules';

/**
 * R-D1: what each hit of a batch carries sealed (v2: IP and user agent, with its contact's own key), opened with one
 * key read per tenant; null where there is nothing to open or it no longer opens (the contact was erased, or the
 * tenant purged). In the order of `events`.
 */
export async function openHitPersonal(
  keys: TenantKeys,
  region: Region,
  events: readonly EventEnvelope<TrackingHitV1 | TrackingHitV2>[],
): Promise<(TrackingHitPersonalV1 | null)[]> {
  const opened = new Array<TrackingHitPersonalV1 | null>(events.length).fill(null);
  const byTenant = new Map<string, number[]>();
  events.forEach((e, i) => {
    if (typeof e.tenantId !== 'string' || sealedPersonalOf(e) === null) return;
    byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), i]);
  });
  for (const [tenantId, indexes] of byTenant) {
    const values = await keys.openAll<TrackingHitPersonalV1>(
      region,
      tenantId,
      indexes.map((i) => sealedPersonalOf(events[i])),
    );
    indexes.forEach((i, k) => (opened[i] = values[k]));
  }
  return opened;
}
