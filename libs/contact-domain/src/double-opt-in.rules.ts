import type { FieldProblem } from './consent.rules';

/**
 * R-C8 double opt-in, as plain rules. A contact created (API or import) with `doubleOptIn: true` starts `pending`; only
 * the person's confirmation on `/c/{token}` makes it active. The flag only decides a new contact's first status:
 * an existing contact keeps its status (an active one is not demoted, a pending one is not sent a second message and
 * stays pending until it confirms, whatever a later upsert says).
 */

/** Days an unconfirmed contact is kept before it is erased, when the tenant set nothing (R-C8). */
export const DEFAULT_UNCONFIRMED_DAYS = 30;
export const MAX_UNCONFIRMED_DAYS = 365;
/** The longest user agent kept with a confirmation (the same cut as tracking's, R-K4). */
export const MAX_USER_AGENT = 256;

/**
 * Reads `doubleOptIn` from a request or an import row: absent, null and false are false; true, and in a CSV cell
 * `true`/`1`/`yes`, are true. Anything else is a problem named `doubleOptIn`.
 */
export function readDoubleOptIn(raw: unknown): { value: boolean } | { problem: FieldProblem } {
  if (raw === undefined || raw === null || raw === false || raw === '') return { value: false };
  if (raw === true) return { value: true };
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (text === 'true' || text === '1' || text === 'yes') return { value: true };
    if (text === 'false' || text === '0' || text === 'no') return { value: false };
  }
  return { problem: { field: 'doubleOptIn', reason: 'must be true or false' } };
}

/** A new contact's status: an address on the suppression list wins (R-C7), then double opt-in waits (R-C8). */
export function initialStatus(facts: {
  suppressed: boolean;
  doubleOptIn: boolean;
}): 'active' | 'pending' | 'suppressed' {
  if (facts.suppressed) return 'suppressed';
  return facts.doubleOptIn ? 'pending' : 'active';
}

/** A tenant's setting, or the default for none or a value out of range. */
export function unconfirmedDays(setting: number | null | undefined): number {
  return typeof setting === 'number' && Number.isInteger(setting) && setting >= 1 && setting <= MAX_UNCONFIRMED_DAYS
    ? setting
    : DEFAULT_UNCONFIRMED_DAYS;
}

/** Pending contacts created before this instant are erased (R-C8): `now` minus the tenant's days. */
export function unconfirmedCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - unconfirmedDays(days) * 24 * 60 * 60 * 1000);
}

/** Whether a pending contact created at `createdAt` is past its tenant's days at `now`. */
export function unconfirmedExpired(createdAt: Date, days: number, now: Date): boolean {
  return createdAt.getTime() < unconfirmedCutoff(now, days).getTime();
}

/** A user agent as stored with a confirmation: trimmed, control characters dropped, cut to MAX_USER_AGENT; null if empty. */
export function confirmationUserAgent(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return text ? text.slice(0, MAX_USER_AGENT) : null;
}
