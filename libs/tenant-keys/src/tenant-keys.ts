import type { EntityManager } from 'typeorm';
import type { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import type { Databases } from '@missive/database';
import { keyedAddressHash, newDataKey, open, seal, unwrapDataKey, wrapDataKey } from './sealed-box';

/** How long an unwrapped key stays in memory; after a purge no instance holds it longer than this (R-P2). */
const CACHE_TTL_MS = 60_000;

/**
 * Each tenant's data key, kept wrapped in `tenant_keys` of the tenant's regional database and created on first
 * use. Services seal personal fields that travel (events, jobs) with it; the purge destroys it (R-P2).
 */
export class TenantKeys {
  private readonly cache = new Map<string, { key: Buffer; until: number }>();

  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
  ) {}

  /** The tenant's data key; created when missing unless `create` is false; null once destroyed. */
  async dataKey(region: Region, tenantId: string, options: { create?: boolean } = {}): Promise<Buffer | null> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.key;
    const db = this.databases.forRegion(region);
    let rows: { wrapped_key: Buffer }[] = await db.query('SELECT wrapped_key FROM tenant_keys WHERE tenant_id = $1', [
      tenantId,
    ]);
    if (rows.length === 0 && options.create !== false) {
      const wrapped = wrapDataKey(this.config.tenantKeyMaster, tenantId, newDataKey());
      await db.query(
        'INSERT INTO tenant_keys (tenant_id, wrapped_key) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING',
        [tenantId, wrapped],
      );
      rows = await db.query('SELECT wrapped_key FROM tenant_keys WHERE tenant_id = $1', [tenantId]);
    }
    if (rows.length === 0) return null;
    const key = unwrapDataKey(this.config.tenantKeyMaster, tenantId, rows[0].wrapped_key);
    if (!key) throw new Error(`the data key of tenant ${tenantId} does not unwrap with TENANT_KEY_MASTER`);
    this.cache.set(tenantId, { key, until: Date.now() + CACHE_TTL_MS });
    return key;
  }

  async seal(region: Region, tenantId: string, value: unknown): Promise<string> {
    const key = await this.dataKey(region, tenantId);
    if (!key) throw new Error(`tenant ${tenantId} has no data key (purged)`);
    return seal(key, tenantId, value);
  }

  /** Opens a sealed field; null when the tenant's key was destroyed (purged) or the box is not theirs. */
  async open<T = unknown>(region: Region, tenantId: string, sealed: string): Promise<T | null> {
    const key = await this.dataKey(region, tenantId, { create: false });
    return key ? open<T>(key, tenantId, sealed) : null;
  }

  async addressHash(region: Region, tenantId: string, normalisedEmail: string): Promise<string> {
    const key = await this.dataKey(region, tenantId);
    if (!key) throw new Error(`tenant ${tenantId} has no data key (purged)`);
    return keyedAddressHash(key, normalisedEmail);
  }

  /** Crypto-shredding: deletes the tenant's key (inside the purge's transaction when given). Returns rows deleted. */
  async destroy(region: Region, tenantId: string, manager?: EntityManager): Promise<number> {
    this.cache.delete(tenantId);
    const runner = manager ?? this.databases.forRegion(region);
    const result: [unknown[], number] = await runner.query('DELETE FROM tenant_keys WHERE tenant_id = $1', [tenantId]);
    return result[1];
  }

  /** Drops a cached key (another instance purged the tenant). */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}
