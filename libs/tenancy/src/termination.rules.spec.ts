import {
  decideLegalHold,
  decideReactivation,
  decideTermination,
  isPurgeDue,
  purgeDueAtFor,
  type LifecycleFacts,
} from './termination.rules';

const now = new Date('2026-11-23T12:00:00Z');
const days = (n: number): Date => new Date(now.getTime() + n * 24 * 3600 * 1000);

function terminated(terminatedAt: Date, extra: Partial<LifecycleFacts> = {}): LifecycleFacts {
  return {
    terminatedAt,
    purgeDueAt: purgeDueAtFor(terminatedAt),
    purgedAt: null,
    legalHoldReason: null,
    purgeStartedAt: null,
    ...extra,
  };
}

const active: LifecycleFacts = {
  terminatedAt: null,
  purgeDueAt: null,
  purgedAt: null,
  legalHoldReason: null,
  purgeStartedAt: null,
};

describe('termination rules', () => {
  it('R-P2: purgeDueAt is exactly 14 days after terminatedAt', () => {
    expect(purgeDueAtFor(new Date('2026-01-01T10:30:00Z')).toISOString()).toBe('2026-01-15T10:30:00.000Z');
  });

  it('R-P1: a termination in the future or the recent past is accepted as is', () => {
    expect(decideTermination(active, { terminatedAt: days(30), confirmImmediatePurge: false }, now)).toEqual({
      ok: true,
    });
    expect(decideTermination(active, { terminatedAt: days(-13), confirmImmediatePurge: false }, now)).toEqual({
      ok: true,
    });
  });

  it('R-P1: a termination whose purge is already due needs confirmImmediatePurge', () => {
    const decision = decideTermination(active, { terminatedAt: days(-14), confirmImmediatePurge: false }, now);
    expect(decision).toMatchObject({ ok: false, code: 'immediate_purge_unconfirmed' });
    expect(decideTermination(active, { terminatedAt: days(-400), confirmImmediatePurge: true }, now)).toEqual({
      ok: true,
    });
  });

  it('R-P5: nothing changes once the purge has started or finished', () => {
    const started = terminated(days(-15), { purgeStartedAt: days(-1) });
    const purged = terminated(days(-15), { purgedAt: days(-1) });
    expect(decideTermination(started, { terminatedAt: days(1), confirmImmediatePurge: true }, now)).toMatchObject({
      code: 'purge_started',
    });
    expect(decideReactivation(purged, now)).toMatchObject({ code: 'tenant_purged' });
    expect(decideLegalHold(started)).toMatchObject({ code: 'purge_started' });
  });

  it('R-P5: reactivation before purgeDueAt is allowed, after it is refused even under a legal hold', () => {
    expect(decideReactivation(terminated(days(-13)), now)).toEqual({ ok: true });
    expect(decideReactivation(terminated(days(-14)), now)).toMatchObject({ code: 'purge_due_passed' });
    expect(decideReactivation(terminated(days(-20), { legalHoldReason: 'court order' }), now)).toMatchObject({
      code: 'purge_due_passed',
    });
  });

  it('R-P2: the purge is due at purgeDueAt, never before', () => {
    expect(isPurgeDue(terminated(days(-13)), now)).toBe(false);
    expect(isPurgeDue(terminated(new Date(now.getTime() - 14 * 24 * 3600 * 1000 + 1)), now)).toBe(false);
    expect(isPurgeDue(terminated(days(-14)), now)).toBe(true);
    expect(isPurgeDue(active, now)).toBe(false);
  });

  it('R-P5: a legal hold makes the purge wait; a purged tenant is never due again', () => {
    expect(isPurgeDue(terminated(days(-30), { legalHoldReason: 'litigation' }), now)).toBe(false);
    expect(isPurgeDue(terminated(days(-30), { purgedAt: days(-10) }), now)).toBe(false);
  });
});
