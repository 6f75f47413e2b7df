import { createHash } from 'node:crypto';

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
  prevHash: string;
  hash: string;
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

/** R-A3: hash = SHA-256(prevHash + canonical JSON of the entry), hex. */
export function auditEntryHash(prevHash: string, entry: AuditEntryContent): string {
  const content: AuditEntryContent = {
    id: entry.id,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    tenantId: entry.tenantId,
    crossRegion: entry.crossRegion,
    details: entry.details,
  };
  return createHash('sha256')
    .update(prevHash + canonicalJson(content), 'utf8')
    .digest('hex');
}

/**
 * R-A3: walks entries in id order from `prevHash` and returns the id of the first one whose link or content does
 * not match (an edited entry, a deleted one before it, a reordered one), or null when the chain holds. `last`
 * is the hash to continue from with the next page.
 */
export function firstBrokenLink(
  entries: readonly ChainedAuditEntry[],
  prevHash: string,
): { brokenAt: string | null; last: string } {
  let previous = prevHash;
  for (const entry of entries) {
    if (entry.prevHash !== previous || auditEntryHash(previous, entry) !== entry.hash) {
      return { brokenAt: entry.id, last: previous };
    }
    previous = entry.hash;
  }
  return { brokenAt: null, last: previous };
}
