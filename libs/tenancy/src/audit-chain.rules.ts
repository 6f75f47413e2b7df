import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of one audit entry (R-A3). `details` holds ids and codes, never personal data. */
export interface AuditEntryContent {
  id: string;
  at: string;
  actor: string;
  action: string;
  tenantId: string | null;
  crossRegion: boolean;
  details: Record<string, unknown>;
}

export interface ChainedAuditEntry extends AuditEntryContent {
  /** The chain key that made `hash`; null only for entries written before the keyed chain (cut-over). */
  keyId: string | null;
  prevHash: string;
  hash: string;
}

/** The chain's head as signed at a moment: written to `audit_anchors`, the log and every purge certificate. */
export interface AuditAnchor {
  /** Id of the newest entry at `at`. */
  seq: string;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
}

/** One configured chain key (AUDIT_CHAIN_KEYS); the first of the list signs, the others only verify. */
export interface AuditChainKey {
  kid: string;
  secret: string;
}

interface DerivedKeys {
  entry: Buffer;
  anchor: Buffer;
}

/**
 * The chain keys by id, each split (HKDF) into an entry key and an anchor key, so an entry hash can never pass for an
 * anchor signature or the other way round.
 */
export class AuditKeyring {
  private readonly keys = new Map<string, DerivedKeys>();
  readonly signingKeyId: string;

  constructor(keys: readonly AuditChainKey[]) {
    if (keys.length === 0) throw new Error('AuditKeyring needs at least one key');
    for (const { kid, secret } of keys) {
      const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
      this.keys.set(kid, { entry: derive('missive:audit-entry'), anchor: derive('missive:audit-anchor') });
    }
    this.signingKeyId = keys[0].kid;
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  /** @internal for the functions below */
  derived(kid: string): DerivedKeys | undefined {
    return this.keys.get(kid);
  }
}

/** JSON with object keys sorted at every depth, so the same entry always hashes the same (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function contentOf(entry: AuditEntryContent): AuditEntryContent {
  return {
    id: entry.id,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    tenantId: entry.tenantId,
    crossRegion: entry.crossRegion,
    details: entry.details,
  };
}

/** The unkeyed hash of entries written before the cut-over: SHA-256(prevHash + canonical JSON of the entry), hex. */
export function legacyAuditEntryHash(prevHash: string, entry: AuditEntryContent): string {
  return createHash('sha256')
    .update(prevHash + canonicalJson(contentOf(entry)), 'utf8')
    .digest('hex');
}

/**
 * R-A3: hash = HMAC-SHA256(entry key of `keyId`, prevHash + canonical JSON of the entry and the key id), hex. Without
 * the key, which lives in the configuration and never in the database, nobody can recompute a chain that verifies.
 * Null when the keyring does not hold `keyId`.
 */
export function auditEntryHash(
  keyring: AuditKeyring,
  keyId: string,
  prevHash: string,
  entry: AuditEntryContent,
): string | null {
  const key = keyring.derived(keyId)?.entry;
  if (!key) return null;
  return createHmac('sha256', key)
    .update(prevHash + canonicalJson({ ...contentOf(entry), keyId }), 'utf8')
    .digest('hex');
}

function anchorMac(key: Buffer, head: Omit<AuditAnchor, 'signature'>): string {
  return createHmac('sha256', key)
    .update(canonicalJson({ seq: head.seq, hash: head.hash, at: head.at, keyId: head.keyId }), 'utf8')
    .digest('hex');
}

/** R-A3: the head `{seq, hash, at}` signed with the anchor key of the keyring's signing key. */
export function signAnchor(keyring: AuditKeyring, head: { seq: string; hash: string; at: string }): AuditAnchor {
  const keyId = keyring.signingKeyId;
  const signature = anchorMac(keyring.derived(keyId)!.anchor, { ...head, keyId });
  return { ...head, keyId, signature };
}

/** Whether the anchor's signature holds under its key (false for an unknown key). */
export function anchorSignatureValid(keyring: AuditKeyring, anchor: AuditAnchor): boolean {
  const key = keyring.derived(anchor.keyId)?.anchor;
  if (!key || !/^[0-9a-f]{64}$/.test(anchor.signature)) return false;
  return timingSafeEqual(Buffer.from(anchorMac(key, anchor), 'hex'), Buffer.from(anchor.signature, 'hex'));
}

/** Why verification stopped: a link, a hash, an anchored hash, a missing anchored entry, or a forged anchor. */
export type AuditBreak = 'link' | 'hash' | 'anchor-mismatch' | 'truncated' | 'anchor-signature';

/** What a walk over the chain needs besides the entries: the keys, and what the anchors say. */
export interface ChainCheck {
  keyring: AuditKeyring;
  /** Id of the newest entry of the unkeyed chain vouched for by the cut-over anchor; null: no unkeyed entry allowed. */
  legacyThrough: string | null;
  /** Anchored hash per entry id (every anchor and certificate head). */
  anchored: ReadonlyMap<string, string>;
}

/**
 * R-A3: walks entries in id order from `prevHash` and returns the id of the first one whose link, content, key or
 * anchored hash does not match (an edited entry, a deleted one before it, a reordered one, a chain recomputed with
 * another key or none), or null when the chain holds. `last` is the hash to continue from with the next page.
 */
export function firstBrokenLink(
  entries: readonly ChainedAuditEntry[],
  prevHash: string,
  check: ChainCheck,
): { brokenAt: string | null; reason?: AuditBreak; last: string; anchoredSeen: string[] } {
  let previous = prevHash;
  const anchoredSeen: string[] = [];
  for (const entry of entries) {
    if (entry.prevHash !== previous) return { brokenAt: entry.id, reason: 'link', last: previous, anchoredSeen };
    let expected: string | null;
    if (entry.keyId === null) {
      const legacy = check.legacyThrough !== null && BigInt(entry.id) <= BigInt(check.legacyThrough);
      expected = legacy ? legacyAuditEntryHash(previous, entry) : null;
    } else {
      expected = auditEntryHash(check.keyring, entry.keyId, previous, entry);
    }
    if (expected !== entry.hash) return { brokenAt: entry.id, reason: 'hash', last: previous, anchoredSeen };
    const anchored = check.anchored.get(entry.id);
    if (anchored !== undefined) {
      if (anchored !== entry.hash)
        return { brokenAt: entry.id, reason: 'anchor-mismatch', last: previous, anchoredSeen };
      anchoredSeen.push(entry.id);
    }
    previous = entry.hash;
  }
  return { brokenAt: null, last: previous, anchoredSeen };
}

/**
 * R-A3: the anchors (and certificate heads) the chain must contain. A forged anchor is reported at its entry id; two
 * anchors naming different hashes for one entry are reported there too. Returns the map for `firstBrokenLink`, or the
 * break.
 */
export function anchoredHashes(
  keyring: AuditKeyring,
  anchors: readonly AuditAnchor[],
): { anchored: Map<string, string> } | { brokenAt: string; reason: AuditBreak } {
  const anchored = new Map<string, string>();
  for (const anchor of anchors) {
    if (!anchorSignatureValid(keyring, anchor)) return { brokenAt: anchor.seq, reason: 'anchor-signature' };
    const known = anchored.get(anchor.seq);
    if (known !== undefined && known !== anchor.hash) return { brokenAt: anchor.seq, reason: 'anchor-mismatch' };
    anchored.set(anchor.seq, anchor.hash);
  }
  return { anchored };
}

/**
 * R-A3: truncation. After a walk that found every link intact, the lowest anchored entry id the walk did not meet:
 * the newest entries were deleted (and new ones may have been appended after the survivors since), or null.
 */
export function firstMissingAnchored(anchored: ReadonlyMap<string, string>, seen: ReadonlySet<string>): string | null {
  let missing: bigint | null = null;
  for (const seq of anchored.keys()) {
    const n = BigInt(seq);
    if (!seen.has(seq) && (missing === null || n < missing)) missing = n;
  }
  return missing === null ? null : missing.toString();
}
