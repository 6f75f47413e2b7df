import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { Metrics } from '@missive/observability';
import { hashesEqual } from './api-key.rules';
import type { TenantContext, TenantStatus } from './tenant-context';

/**
 * Safety net only: revocations and tenant changes evict at once through events (tenant-cache.consumer.ts);
 * an entry missed by them is still refreshed within this time.
 */
export const API_KEY_CACHE_TTL_MS = 30000;
/**
 * Unknown keys are remembered (R-X6: one lookup each at most), in a cache of their own so that a flood of made-up
 * keys evicts only other made-up keys, never a real one. An unknown key stays unknown: keys are 32 random bytes,
 * and a revoked key or a purged tenant's never returns. About 150 bytes an entry: 50,000 hold 7–8 MB.
 */
const UNKNOWN_KEY_TTL_MS = 10 * 60 * 1000;
const MAX_UNKNOWN_KEYS = 50000;
const MAX_CACHED_KEYS = 20000;

interface ResolvedKey {
  keyHash: string;
  tenant: TenantContext | null;
}

interface KeyRow {
  api_key_id: string;
  key_hash: string;
  tenant_id: string;
  region: Region;
  status: TenantStatus;
  transfer_safeguard: string | null;
  terminated_at: Date | null;
  purge_due_at: Date | null;
}

/**
 * API key → tenant (R-X1), with an in-process cache in front of the global directory so the hot path is a
 * SHA-256 and a map lookup. The key itself never reaches this class: callers pass its SHA-256.
 */
@Injectable()
export class TenantDirectory {
  private readonly cache = new LRUCache<string, ResolvedKey>({ max: MAX_CACHED_KEYS, ttl: API_KEY_CACHE_TTL_MS });
  private readonly unknownKeys = new LRUCache<string, true>({ max: MAX_UNKNOWN_KEYS, ttl: UNKNOWN_KEY_TTL_MS });
  private readonly inFlight = new Map<string, Promise<ResolvedKey>>();
  /** Bumped on every eviction, so a lookup that started before it does not re-cache a stale answer. */
  private generation = 0;

  constructor(
    private readonly databases: Databases,
    private readonly metrics: Metrics,
  ) {}

  async resolve(keyHash: string): Promise<TenantContext | null> {
    const cached = this.cached(keyHash);
    if (cached !== undefined) return cached;
    return this.admit(await this.load(keyHash), keyHash);
  }

  /**
   * The answer without waiting, when the cache has it (the hot path: no promise, no microtask); `undefined`
   * when the directory must be asked (`resolve`).
   */
  cached(keyHash: string): TenantContext | null | undefined {
    const resolved = this.cache.get(keyHash);
    if (resolved) return this.admit(resolved, keyHash);
    return this.unknownKeys.has(keyHash) ? null : undefined;
  }

  private admit(resolved: ResolvedKey, keyHash: string): TenantContext | null {
    // R-X1: the stored digest is compared in constant time (the map lookup only finds the candidate).
    if (!resolved.tenant || !hashesEqual(resolved.keyHash, keyHash)) return null;
    return resolved.tenant;
  }

  evictKey(apiKeyId: string): void {
    this.generation++;
    this.evictWhere((r) => r.tenant?.apiKeyId === apiKeyId);
  }

  evictTenant(tenantId: string): void {
    this.generation++;
    this.evictWhere((r) => r.tenant?.id === tenantId);
  }

  /** A scan: evictions are rare and the cache is bounded. */
  private evictWhere(matches: (resolved: ResolvedKey) => boolean): void {
    const keys = [...this.cache.entries()].filter(([, resolved]) => matches(resolved)).map(([key]) => key);
    for (const key of keys) this.cache.delete(key);
  }

  private load(keyHash: string): Promise<ResolvedKey> {
    const pending = this.inFlight.get(keyHash);
    if (pending) return pending;
    const generation = this.generation;
    const loading = this.query(keyHash)
      .then((resolved) => {
        // An eviction only ever makes a key unknown, so an unknown answer is kept even if one happened meanwhile.
        if (!resolved.tenant) this.unknownKeys.set(keyHash, true);
        else if (generation === this.generation) this.cache.set(keyHash, resolved);
        return resolved;
      })
      .finally(() => this.inFlight.delete(keyHash));
    this.inFlight.set(keyHash, loading);
    return loading;
  }

  private async query(keyHash: string): Promise<ResolvedKey> {
    const rows: KeyRow[] = await this.databases.global.query(
      `SELECT k.id AS api_key_id, k.key_hash, t.id AS tenant_id, t.region, t.status, t.transfer_safeguard,
              t.terminated_at, t.purge_due_at
         FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.purged_at IS NULL`,
      [keyHash],
    );
    const row = rows[0];
    this.metrics.apiKeyLookups.inc({ result: row ? 'known' : 'unknown' });
    if (!row) return { keyHash, tenant: null };
    return {
      keyHash: row.key_hash,
      tenant: {
        id: row.tenant_id,
        region: row.region,
        status: row.status,
        transferSafeguard: row.transfer_safeguard,
        terminatedAt: row.terminated_at,
        purgeDueAt: row.purge_due_at,
        apiKeyId: row.api_key_id,
      },
    };
  }
}
