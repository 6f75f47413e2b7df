import type { Region } from '@missive/contracts';

/**
 * Names and arithmetic of the purge (R-P2, R-P4), free of I/O. Each store is named by kind and region, so the
 * certificate says where rows were deleted without naming anything personal: `postgres.na.contacts`, `redis.eea`,
 * `bullmq.na`, `files.na`, `kafka-keys.eea` (the tenant's data key: destroying it makes every event the tenant
 * left in Kafka unreadable — crypto-shredding).
 */
export type StoreKind = 'postgres' | 'redis' | 'bullmq' | 'files' | 'kafka-keys';

export function storeName(kind: StoreKind, region: Region, table?: string): string {
  const base = `${kind}.${region.toLowerCase()}`;
  return table ? `${base}.${table}` : base;
}

/** Regional tables the generic table purge leaves alone: its own bookkeeping, and the key the shredder destroys. */
export const TABLES_NOT_PURGED_AS_ROWS = new Set(['purge_progress', 'tenant_keys']);

export interface ProgressRow {
  store: string;
  deleted: number;
  done: boolean;
}

/**
 * R-T2, R-P7: a tenant's data lives only in its home region's stores, so only a worker that serves the home region
 * purges it. A worker of the other region would find nothing, certify zeros and leave the data where it is.
 */
export function purgesTenantOf(servedRegions: readonly Region[], home: Region): boolean {
  return servedRegions.includes(home);
}

/** The stores outside PostgreSQL that every purge of a region must report done before a certificate (R-P7). */
export function fixedStoresOf(region: Region): string[] {
  return (['redis', 'bullmq', 'files', 'kafka-keys'] as const).map((kind) => storeName(kind, region));
}

/**
 * R-P7: the stores that stop a certificate — a fixed store with no progress row, any store not marked done, or a
 * region without a single PostgreSQL table reported. Empty when the certificate may be written.
 */
export function storesNotDone(rows: readonly ProgressRow[], region: Region): string[] {
  const byStore = new Map(rows.map((r) => [r.store, r]));
  const missing = fixedStoresOf(region).filter((store) => !byStore.get(store)?.done);
  const tables = rows.filter((r) => r.store.startsWith(`${storeName('postgres', region)}.`));
  if (tables.length === 0) missing.push(`${storeName('postgres', region)}.*`);
  missing.push(...tables.filter((r) => !r.done).map((r) => r.store));
  return missing;
}

/**
 * R-P6: how long after its certificate a purged tenant's stores are re-checked at every sweep. Late events can
 * arrive while topics keep them (13 days at most) and consumers catch up; old links are dropped by the link host
 * for good. A month covers both with room.
 */
export const LEFTOVER_RECHECK_DAYS = 30;

/** R-P4: the certificate's `deleted` map, from every region's progress rows; stores are listed even at 0. */
export function certificateCounts(rows: ProgressRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of [...rows].sort((a, b) => a.store.localeCompare(b.store))) {
    counts[row.store] = (counts[row.store] ?? 0) + Number(row.deleted);
  }
  return counts;
}

/** The BullMQ queue behind a `…:meta` key: prefix and name, or null for a key that is not a queue's meta hash. */
export function queueOfMetaKey(key: string): { prefix: string; name: string } | null {
  if (!key.endsWith(':meta')) return null;
  const base = key.slice(0, -':meta'.length);
  const cut = base.lastIndexOf(':');
  if (cut <= 0 || cut === base.length - 1) return null;
  return { prefix: base.slice(0, cut), name: base.slice(cut + 1) };
}

/** Whether a queued job belongs to the tenant: every Missive job carries `tenantId` in its data (ids only). */
export function jobBelongsTo(data: unknown, tenantId: string): boolean {
  return typeof data === 'object' && data !== null && (data as { tenantId?: unknown }).tenantId === tenantId;
}

/** When the scheduler should look next: at the earliest due purge, but at least every sweep interval (R-P3). */
export function nextWakeInMs(nextDueAt: Date | null, now: Date, sweepIntervalMs: number): number {
  if (!nextDueAt) return sweepIntervalMs;
  return Math.max(0, Math.min(sweepIntervalMs, nextDueAt.getTime() - now.getTime()));
}
