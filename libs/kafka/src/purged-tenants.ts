/**
 * R-P6: nothing may bring a purged tenant's data back. A provider of this token (the cached tenant states of
 * libs/tenancy) tells the event server which tenants of a batch are purged, and their events are dropped before
 * any handler runs, whatever the consumer.
 */
export const PURGED_TENANTS = Symbol('missive.purgedTenants');

export interface PurgedTenants {
  purgedAmong(tenantIds: Iterable<string>): Promise<Set<string>>;
}

/**
 * The tenant's own lifecycle events (`tenant.changed` with `purged` among them) are what the cache and the purge
 * react to: they are delivered for a purged tenant too. Every other event of a purged tenant is dropped.
 */
export function droppedForPurgedTenant(eventType: string): boolean {
  return !eventType.startsWith('tenant.');
}
