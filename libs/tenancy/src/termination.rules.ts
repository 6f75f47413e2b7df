/**
 * The two-week rule (R-P1, R-P2, R-P5) as plain functions of a tenant's lifecycle and the time: what a termination,
 * a reactivation or a legal hold may do, and when the purge is due. No I/O; callers pass `now` (an injectable clock).
 */

/** R-P2: contact data is kept exactly this long after `terminatedAt`, then purged. */
export const RETENTION_AFTER_TERMINATION_MS = 14 * 24 * 60 * 60 * 1000;

export interface LifecycleFacts {
  terminatedAt: Date | null;
  purgeDueAt: Date | null;
  purgedAt: Date | null;
  legalHoldReason: string | null;
  /** The purge has begun deleting: from then on nothing can be restored or held (R-P5). */
  purgeStartedAt: Date | null;
}

export type LifecycleDecision =
  | { ok: true }
  | {
      ok: false;
      code: 'tenant_purged' | 'purge_started' | 'purge_due_passed' | 'immediate_purge_unconfirmed';
      reason: string;
    };

export function purgeDueAtFor(terminatedAt: Date): Date {
  return new Date(terminatedAt.getTime() + RETENTION_AFTER_TERMINATION_MS);
}

function irreversible(facts: LifecycleFacts): LifecycleDecision | null {
  if (facts.purgedAt)
    return { ok: false, code: 'tenant_purged', reason: 'the tenant was purged; nothing can be restored' };
  if (facts.purgeStartedAt) {
    return { ok: false, code: 'purge_started', reason: 'the purge has started; nothing can be restored' };
  }
  return null;
}

/**
 * R-P1: a termination may be recorded for any time, past or future, but one whose purge would already be due
 * needs `confirmImmediatePurge` (a typo in the year must not cause an instant, irreversible purge).
 */
export function decideTermination(
  facts: LifecycleFacts,
  request: { terminatedAt: Date; confirmImmediatePurge: boolean },
  now: Date,
): LifecycleDecision {
  const blocked = irreversible(facts);
  if (blocked) return blocked;
  if (purgeDueAtFor(request.terminatedAt).getTime() <= now.getTime() && !request.confirmImmediatePurge) {
    return {
      ok: false,
      code: 'immediate_purge_unconfirmed',
      reason:
        'terminatedAt is more than 14 days ago, so the purge would start at once; send confirmImmediatePurge: true',
    };
  }
  return { ok: true };
}

/** R-P5: reactivation cancels the purge only before `purgeDueAt`; after it (held or not), nothing can be restored. */
export function decideReactivation(facts: LifecycleFacts, now: Date): LifecycleDecision {
  const blocked = irreversible(facts);
  if (blocked) return blocked;
  if (facts.purgeDueAt && facts.purgeDueAt.getTime() <= now.getTime()) {
    return {
      ok: false,
      code: 'purge_due_passed',
      reason: 'purgeDueAt has passed; the termination can no longer be undone',
    };
  }
  return { ok: true };
}

/** R-P5: a legal hold can be placed or released until the purge starts. */
export function decideLegalHold(facts: LifecycleFacts): LifecycleDecision {
  return irreversible(facts) ?? { ok: true };
}

/** R-P2, R-P5: the purge runs at `purgeDueAt`, never before, and waits while a legal hold is set. */
export function isPurgeDue(facts: LifecycleFacts, now: Date): boolean {
  if (facts.purgedAt || !facts.terminatedAt || !facts.purgeDueAt) return false;
  if (facts.legalHoldReason) return false;
  return facts.purgeDueAt.getTime() <= now.getTime();
}
