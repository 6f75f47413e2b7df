import { LRUCache } from 'lru-cache';
import type { EntityManager } from 'typeorm';
import type { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import type { Databases } from '@missive/database';
import {
  contactOfBox,
  keyedAddressHash,
  newDataKey,
  open,
  openContactBox,
  seal,
  sealForContact,
  unwrapContactKey,
  unwrapDataKey,
  wrapContactKey,
  wrapDataKey,
} from './sealed-box';

/** How long an unwrapped key stays in memory; after a purge no instance holds it longer than this (R-P2). */
const CACHE_TTL_MS = 60_000;
/**
 * How long an unwrapped contact key (or the fact that a contact has none) stays in memory (R-D1). An erasure evicts
 * it at once in its own process and, through `contact.erased` (ContactKeyCacheConsumer), in every other one; this is
 * the bound when that event is late: no process uses a contact key more than 60 seconds after the erasure committed.
 */
export const CONTACT_KEY_TTL_MS = 60_000;
/** Contact keys kept per process: the link host's working set (contacts hit within a minute), about 25 MB at most. */
const CONTACT_KEY_CACHE_MAX = 100_000;
/** Stale contact keys are dropped from memory this often, not only when next asked for. */
const PURGE_STALE_MS = 5_000;
/** Contacts whose keys one query reads. */
const KEYS_PER_QUERY = 5_000;

/** The cached fact that a contact has no key: never given one, or erased (its key destroyed). */
const NO_KEY = Buffer.alloc(0);

/** Why a sealed field did not open. */
export type UnsealFailure = 'erased' | 'invalid';
export type Unsealed<T> = { ok: true; value: T } | { ok: false; reason: UnsealFailure };

/**
 * Each tenant's data key, kept wrapped in `tenant_keys` of the tenant's regional database and created on first
 * use, and each contact's own key (R-D1), kept in `contact_keys` wrapped under the tenant's key and created with the
 * contact's first event. Services seal personal fields that travel (events, jobs) with the contact's key when the
 * fields are one person's, else with the tenant's; erasure destroys the contact's key, the purge the tenant's
 * (R-P2).
 */
export class TenantKeys {
  private readonly cache = new Map<string, { key: Buffer; until: number }>();
  /** `tenant:contact` → the contact's unwrapped key, or NO_KEY. */
  private readonly contactCache = new LRUCache<string, Buffer>({ max: CONTACT_KEY_CACHE_MAX, ttl: CONTACT_KEY_TTL_MS });
  /**
   * Contacts erased while a read of their key may have been in flight: such a read must not put the key back in the
   * cache. Kept as long as a cached key could live.
   */
  private readonly erased = new LRUCache<string, true>({ max: CONTACT_KEY_CACHE_MAX, ttl: CONTACT_KEY_TTL_MS });
  /** Background reads asked for by `contactKeySoon`, gathered per region and tenant for one query each. */
  private readonly warming = new Map<
    string,
    { region: Region; tenantId: string; waiters: Map<string, ((key: Buffer | null) => void)[]> }
  >();
  private warmScheduled = false;
  private readonly purgeTimer: NodeJS.Timeout;

  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
  ) {
    this.purgeTimer = setInterval(() => {
      this.contactCache.purgeStale();
      this.erased.purgeStale();
    }, PURGE_STALE_MS);
    this.purgeTimer.unref();
  }

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

  /** Seals a tenant-wide value with the tenant's key; one person's fields go through `sealForContact`. */
  async seal(region: Region, tenantId: string, value: unknown): Promise<string> {
    const key = await this.dataKey(region, tenantId);
    if (!key) throw new Error(`tenant ${tenantId} has no data key (purged)`);
    return seal(key, tenantId, value);
  }

  /**
   * Opens a sealed field: a contact box with its contact's key, an older tenant box with the tenant's key. An array
   * (an import's per-contact boxes) opens entry by entry, with null for each contact erased, in one key read. Null
   * when the key was destroyed (erasure, purge) or the box is not theirs.
   */
  async open<T = unknown>(region: Region, tenantId: string, sealed: string): Promise<T | null>;
  async open<T = unknown>(region: Region, tenantId: string, sealed: string | readonly string[]): Promise<T | null>;
  async open<T = unknown>(region: Region, tenantId: string, sealed: string | readonly string[]): Promise<T | null> {
    return (await this.openAll<T>(region, tenantId, [sealed]))[0];
  }

  /**
   * `open` for many fields of one tenant (a consumer's batch): every contact key they need read in one query.
   * Each result is the opened value, or for an array the array of opened entries (null where erased).
   */
  async openAll<T = unknown>(
    region: Region,
    tenantId: string,
    sealed: readonly (string | readonly string[] | null | undefined)[],
  ): Promise<(T | null)[]> {
    const boxes = sealed.flatMap((s) => (Array.isArray(s) ? s : typeof s === 'string' ? [s] : [])) as string[];
    const contactIds = [...new Set(boxes.map(contactOfBox).filter((id): id is string => id !== null))];
    const keys = contactIds.length > 0 ? await this.contactKeys(region, tenantId, contactIds) : new Map();
    const tenantKey = boxes.some((b) => contactOfBox(b) === null)
      ? await this.dataKey(region, tenantId, { create: false })
      : null;
    const one = (box: unknown): unknown => {
      if (typeof box !== 'string') return null;
      const contactId = contactOfBox(box);
      if (contactId === null) return tenantKey ? open(tenantKey, tenantId, box) : null;
      const key = keys.get(contactId);
      return key ? openContactBox(key, tenantId, box) : null;
    };
    return sealed.map((s) => (Array.isArray(s) ? s.map(one) : one(s)) as T | null);
  }

  /** Opens one sealed field and says why it did not open: `erased` when its key was destroyed. */
  async unseal<T = unknown>(region: Region, tenantId: string, sealed: string): Promise<Unsealed<T>> {
    const contactId = contactOfBox(sealed);
    const key = contactId
      ? (await this.contactKeys(region, tenantId, [contactId])).get(contactId)
      : await this.dataKey(region, tenantId, { create: false });
    if (!key) return { ok: false, reason: 'erased' };
    const value = contactId ? openContactBox<T>(key, tenantId, sealed) : open<T>(key, tenantId, sealed);
    return value === null ? { ok: false, reason: 'invalid' } : { ok: true, value };
  }

  async addressHash(region: Region, tenantId: string, normalisedEmail: string): Promise<string> {
    const key = await this.dataKey(region, tenantId);
    if (!key) throw new Error(`tenant ${tenantId} has no data key (purged)`);
    return keyedAddressHash(key, normalisedEmail);
  }

  /**
   * Crypto-shredding: deletes the tenant's key and every contact key it wraps (inside the purge's transaction when
   * given, which has the tenant set). Returns rows deleted.
   */
  async destroy(region: Region, tenantId: string, manager?: EntityManager): Promise<number> {
    this.forget(tenantId);
    const run = async (m: EntityManager) => {
      const contacts: [unknown[], number] = await m.query('DELETE FROM contact_keys WHERE tenant_id = $1', [tenantId]);
      const tenant: [unknown[], number] = await m.query('DELETE FROM tenant_keys WHERE tenant_id = $1', [tenantId]);
      return contacts[1] + tenant[1];
    };
    const deleted = manager ? await run(manager) : await this.databases.withTenant(region, tenantId, run);
    this.forget(tenantId);
    return deleted;
  }

  /** Drops a cached tenant key and its contacts' keys (another instance purged the tenant). */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
    const prefix = `${tenantId}:`;
    for (const k of [...this.contactCache.keys()]) if (k.startsWith(prefix)) this.contactCache.delete(k);
  }

  // ---- Contact keys (R-D1) ----

  /**
   * The keys of these contacts, created for those that have none, in the caller's tenant transaction (the producer
   * of the contacts' events: the key commits with the event that needs it, R-X5). Keys made here are not cached
   * until read back committed.
   */
  async contactKeysForWrite(
    m: EntityManager,
    tenant: { id: string; region: Region },
    contactIds: readonly string[],
  ): Promise<Map<string, Buffer>> {
    const tenantKey = await this.dataKey(tenant.region, tenant.id);
    if (!tenantKey) throw new Error(`tenant ${tenant.id} has no data key (purged)`);
    const ids = [...new Set(contactIds.map((id) => id.toLowerCase()))].sort();
    const keys = new Map<string, Buffer>();
    const take = (rows: { contact_id: string; wrapped_key: Buffer }[]) => {
      for (const row of rows) keys.set(row.contact_id, this.unwrapOrThrow(tenantKey, tenant.id, row));
    };
    for (let i = 0; i < ids.length; i += KEYS_PER_QUERY) {
      const chunk = ids.slice(i, i + KEYS_PER_QUERY);
      take(await this.readWrapped(m, tenant.id, chunk));
      const missing = chunk.filter((id) => !keys.has(id));
      if (missing.length === 0) continue;
      const fresh = missing.map((id) => ({ id, key: newDataKey() }));
      const inserted: { contact_id: string }[] = await m.query(
        `INSERT INTO contact_keys (tenant_id, contact_id, wrapped_key)
         SELECT $1, contact_id, wrapped_key FROM unnest($2::uuid[], $3::bytea[]) AS k(contact_id, wrapped_key)
         ON CONFLICT (tenant_id, contact_id) DO NOTHING RETURNING contact_id`,
        [tenant.id, fresh.map((f) => f.id), fresh.map((f) => wrapContactKey(tenantKey, tenant.id, f.id, f.key))],
      );
      const won = new Set(inserted.map((r) => r.contact_id));
      for (const f of fresh) if (won.has(f.id)) keys.set(f.id, f.key);
      // Another transaction created some of them first: use what it committed.
      const lost = missing.filter((id) => !won.has(id));
      if (lost.length > 0) take(await this.readWrapped(m, tenant.id, lost));
    }
    return keys;
  }

  /**
   * The keys of these contacts for reading (consumers): from the cache, else one query; a contact without one
   * (erased, or never given one) is absent from the map. A cached "no key" is trusted only for a contact erased
   * here: one that had no key yet when the link host asked may have got one since with the event being opened.
   */
  async contactKeys(region: Region, tenantId: string, contactIds: readonly string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const raw of new Set(contactIds)) {
      const id = raw.toLowerCase();
      const k = `${tenantId}:${id}`;
      const cached = this.contactCache.get(k);
      if (cached !== undefined && cached !== NO_KEY) keys.set(id, cached);
      else if (!this.erased.has(k)) missing.push(id);
    }
    if (missing.length > 0)
      for (const [id, key] of await this.fetchContactKeys(region, tenantId, missing)) keys.set(id, key);
    return keys;
  }

  /** A contact key if this process has it cached, without waiting: undefined when unknown, null when it has none. */
  cachedContactKey(tenantId: string, contactId: string): Buffer | null | undefined {
    const cached = this.contactCache.get(`${tenantId}:${contactId.toLowerCase()}`);
    return cached === undefined ? undefined : cached === NO_KEY ? null : cached;
  }

  /**
   * Reads a contact's key into the cache in the background and resolves with it (null: the contact has none, or the
   * read failed). For the link host's miss (R-K5: the answer never waits on PostgreSQL): the misses of one turn of
   * the event loop are read in one query per tenant.
   */
  contactKeySoon(region: Region, tenantId: string, contactId: string): Promise<Buffer | null> {
    const slot = `${region}:${tenantId}`;
    let pending = this.warming.get(slot);
    if (!pending) this.warming.set(slot, (pending = { region, tenantId, waiters: new Map() }));
    const id = contactId.toLowerCase();
    const done = new Promise<Buffer | null>((resolve) =>
      pending.waiters.set(id, [...(pending.waiters.get(id) ?? []), resolve]),
    );
    if (!this.warmScheduled) {
      this.warmScheduled = true;
      setImmediate(() => this.readWarming());
    }
    return done;
  }

  private readWarming(): void {
    this.warmScheduled = false;
    const batches = [...this.warming.values()];
    this.warming.clear();
    for (const b of batches) {
      const settle = (keys: Map<string, Buffer>) => {
        for (const [id, resolvers] of b.waiters) for (const resolve of resolvers) resolve(keys.get(id) ?? null);
      };
      this.fetchContactKeys(b.region, b.tenantId, [...b.waiters.keys()]).then(settle, () => settle(new Map()));
    }
  }

  /** Seals one contact's value with its key (a cached or fetched one); null when the contact has no key. */
  async sealForContact(region: Region, tenantId: string, contactId: string, value: unknown): Promise<string | null> {
    const key = (await this.contactKeys(region, tenantId, [contactId])).get(contactId.toLowerCase());
    return key ? sealForContact(key, tenantId, contactId, value) : null;
  }

  /**
   * Erasure (R-D1): deletes the contact's key in the erasure's tenant transaction, and forgets it here. Every box
   * sealed with it, in every topic, is unreadable once this commits. Returns rows deleted.
   */
  async destroyContactKey(m: EntityManager, tenantId: string, contactId: string): Promise<number> {
    this.forgetContact(tenantId, contactId);
    const result: [unknown[], number] = await m.query(
      'DELETE FROM contact_keys WHERE tenant_id = $1 AND contact_id = $2',
      [tenantId, contactId],
    );
    return result[1];
  }

  /** Drops a cached contact key (the contact was erased, here or in another process). */
  forgetContact(tenantId: string, contactId: string): void {
    const k = `${tenantId}:${contactId.toLowerCase()}`;
    this.erased.set(k, true);
    this.contactCache.set(k, NO_KEY);
  }

  private async fetchContactKeys(region: Region, tenantId: string, contactIds: string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    const tenantKey = await this.dataKey(region, tenantId, { create: false });
    if (tenantKey) {
      for (let i = 0; i < contactIds.length; i += KEYS_PER_QUERY) {
        const chunk = contactIds.slice(i, i + KEYS_PER_QUERY);
        const rows = await this.databases.withTenant(region, tenantId, (m) => this.readWrapped(m, tenantId, chunk));
        for (const row of rows) keys.set(row.contact_id, this.unwrapOrThrow(tenantKey, tenantId, row));
      }
    }
    for (const id of contactIds) {
      const k = `${tenantId}:${id}`;
      // An erasure that happened while this read was in flight wins: its key never comes back into the cache.
      if (this.erased.has(k)) {
        keys.delete(id);
        continue;
      }
      this.contactCache.set(k, keys.get(id) ?? NO_KEY);
    }
    return keys;
  }

  private readWrapped(
    m: EntityManager,
    tenantId: string,
    contactIds: readonly string[],
  ): Promise<{ contact_id: string; wrapped_key: Buffer }[]> {
    return m.query(
      'SELECT contact_id::text, wrapped_key FROM contact_keys WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])',
      [tenantId, contactIds],
    );
  }

  private unwrapOrThrow(tenantKey: Buffer, tenantId: string, row: { contact_id: string; wrapped_key: Buffer }): Buffer {
    const key = unwrapContactKey(tenantKey, tenantId, row.contact_id, row.wrapped_key);
    if (!key) throw new Error(`the key of a contact of tenant ${tenantId} does not unwrap with the tenant's key`);
    return key;
  }
}
