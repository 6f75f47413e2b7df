/**
 * R-P6: nothing may bring a purged tenant's data back. The process's reader of tenant states (libs/tenancy, which
 * registers itself on the Platform) tells the event server which tenants of a batch are purged, and their events
 * are dropped before any handler runs, whatever the consumer.
 */
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
