import type { ContactStatus } from './contact.rules';

/**
 * R-U4: the lists a write may put the person on. A list they left stays off until they resubscribe to it with a
 * new consent record; the others keep their order. The upsert's SQL twin is `LISTS_KEPT_ON_SQL`.
 */
export function listsKeptOn(requested: readonly string[], left: readonly string[]): string[] {
  if (left.length === 0) return [...requested];
  return requested.filter((list) => !left.includes(list));
}

/** Why an import row or an upsert left (part of) a contact as it was. */
export type KeptOffReason = 'restricted' | 'list opt-out';

export interface KeptOff {
  field: 'row' | 'lists';
  reason: string;
}

/**
 * R-D1, R-U4: what an import row or upsert for a stored contact is kept off, for the report: a restricted contact is
 * not changed at all; otherwise the lists the person left that the row names. Null when nothing is kept off.
 */
export function keptOff(
  stored: { status: ContactStatus; listsLeft: readonly string[] },
  requestedLists: readonly string[],
): KeptOff | null {
  if (stored.status === 'restricted') return { field: 'row', reason: 'restricted' };
  const lists = requestedLists.filter((list) => stored.listsLeft.includes(list));
  if (lists.length === 0) return null;
  return { field: 'lists', reason: `list opt-out: ${lists.join(', ')}` };
}

/** Suppression reasons the person caused, lifted by their resubscribe; a tenant's own (`manual`…) stay. */
export const RESUBSCRIBE_LIFTS_SUPPRESSION_REASONS = ['unsubscribed', 'bounced', 'complained'] as const;

/** R-D1: a restricted contact is kept, never processed; its restriction is lifted through the privacy request. */
export function resubscribeRefusal(status: ContactStatus): { code: 'contact_restricted'; message: string } | null {
  if (status !== 'restricted') return null;
  return { code: 'contact_restricted', message: 'The contact is restricted (R-D1): it is kept, never processed' };
}

/**
 * R-U4, R-S8: the state after a resubscribe with a new consent record, the only way back (once
 * `resubscribeRefusal` found nothing). A full opt-out or a bounce is lifted with the suppressions the person
 * caused: the contact is active again, or suppressed while a suppression the tenant made stays (`stillSuppressed`).
 * The named lists are rejoined and forgotten as left; lists not named stay as they are.
 */
export function resubscribe(
  contact: { lists: readonly string[]; listsLeft: readonly string[] },
  lists: readonly string[],
  stillSuppressed: boolean,
): { status: ContactStatus; lists: string[]; listsLeft: string[] } {
  return {
    status: stillSuppressed ? 'suppressed' : 'active',
    lists: [...new Set([...contact.lists, ...lists])],
    listsLeft: contact.listsLeft.filter((list) => !lists.includes(list)),
  };
}

/**
 * `listsKeptOn` in SQL, for the writers that decide inside one statement (the import's batch upsert, the API upsert,
 * PATCH): `requested` and `left` are text[] expressions. A contact who left no list costs one comparison.
 */
export function listsKeptOnSql(requested: string, left: string): string {
  return `CASE WHEN ${left} = '{}' THEN ${requested} ELSE ARRAY(SELECT k.l FROM unnest(${requested}) WITH ORDINALITY
    AS k(l, i) WHERE k.l <> ALL(${left}) ORDER BY k.i) END`;
}
