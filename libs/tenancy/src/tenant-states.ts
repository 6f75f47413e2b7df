import { Injectable } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import type { PurgedTenants } from '@missive/kafka';
import { Platform } from '@missive/platform';
import type { TenantStatus } from './tenant-context';
import { LRUCache } from 'lru-cache';

/** A tenant's lifecycle as the global directory has it; no API key, nothing personal. */
export interface TenantState {
  id: string;
  name: string;
  region: Region;
  status: TenantStatus;
  terminatedAt: Date | null;
  purgeDueAt: Date | null;
  purgedAt: Date | null;
  /** The EEA→NA transfer safeguard the tenant recorded (R-T3), or null. */
  transferSafeguard: string | null;
}

/**
 * Safety net only: `tenant.changed` evicts an entry at once on every instance (tenant-cache.consumer.ts), so a
 * termination stops sending, and a purge stops hits and late events, within about a second either way.
 */
export const TENANT_STATE_TTL_MS = 1000;
/** A purge is final (R-P5): its state is kept until the entry is pushed out by newer ones. */
const PURGED_TTL_MS = 24 * 3600 * 1000;
const MAX_TENANTS = 50000;

interface StateRow {
  id: string;
  name: string;
  region: Region;
  status: TenantStatus;
  terminated_at: Date | null;
  purge_due_at: Date | null;
  purged_at: Date | null;
  transfer_safeguard: string | null;
}

/**
 * The one cached reader of tenants' lifecycle in the global directory, for the code that acts on a tenant without
 * an API key: the send gate, the link host and the consumers of hits and late events (R-P1, R-P6), the
 * unsubscribe page's sender name. An unknown tenant is remembered as such (null) for the same short time.
 */
@Injectable()
export class TenantStates implements PurgedTenants {
  /** Boxed, since the cache holds no null: `{ state: null }` is a tenant the directory does not know. */
  private readonly cache = new LRUCache<string, { state: TenantState | null }>({
    max: MAX_TENANTS,
    ttl: TENANT_STATE_TTL_MS,
  });
  private generation = 0;

  constructor(
    private readonly databases: Databases,
    platform: Platform,
  ) {
    // The process's event servers ask it which tenants are purged (R-P6), whichever listener created it first.
    platform.purgedTenants ??= this;
  }

  /** The cached answer without waiting, or `undefined` when the directory must be asked (`get`). */
  cached(tenantId: string): TenantState | null | undefined {
    return this.cache.get(tenantId)?.state;
  }

  async get(tenantId: string): Promise<TenantState | null> {
    const cached = this.cache.get(tenantId);
    if (cached !== undefined) return cached.state;
    return (await this.load([tenantId])).get(tenantId) ?? null;
  }

  /** The purged tenants among these ids (R-P6): whatever still arrives for them is dropped. */
  async purgedAmong(tenantIds: Iterable<string>): Promise<Set<string>> {
    const ids = [...new Set(tenantIds)];
    const missing = ids.filter((id) => this.cache.get(id) === undefined);
    if (missing.length) await this.load(missing);
    return new Set(ids.filter((id) => this.cache.get(id)?.state?.status === 'purged'));
  }

  /**
   * The ids of a region's tenants not yet purged, read fresh, in a stable order: what the sweeps and the per-tenant
   * metrics walk (a purged tenant has nothing left to sweep or measure, R-P6).
   */
  async unpurgedIn(region: Region): Promise<string[]> {
    const rows: { id: string }[] = await this.databases.global.query(
      `SELECT id FROM tenants WHERE region = $1 AND purged_at IS NULL ORDER BY id`,
      [region],
    );
    return rows.map((r) => r.id);
  }

  evict(tenantId: string): void {
    this.generation++;
    this.cache.delete(tenantId);
  }

  private async load(ids: string[]): Promise<Map<string, TenantState>> {
    const generation = this.generation;
    const rows: StateRow[] = await this.databases.global.query(
      `SELECT id, name, region, status, terminated_at, purge_due_at, purged_at, transfer_safeguard
       FROM tenants WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const found = new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          name: r.name,
          region: r.region,
          status: r.status,
          terminatedAt: r.terminated_at,
          purgeDueAt: r.purge_due_at,
          purgedAt: r.purged_at,
          transferSafeguard: r.transfer_safeguard,
        } satisfies TenantState,
      ]),
    );
    // An eviction that landed while the query ran may be newer than its answer: do not cache over it.
    if (generation === this.generation) {
      for (const id of ids) {
        const state = found.get(id) ?? null;
        this.cache.set(id, { state }, { ttl: state?.status === 'purged' ? PURGED_TTL_MS : TENANT_STATE_TTL_MS });
      }
    }
    return found;
  }
}
