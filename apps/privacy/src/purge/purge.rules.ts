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
