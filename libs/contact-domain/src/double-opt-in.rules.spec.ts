import {
  confirmationUserAgent,
  DEFAULT_UNCONFIRMED_DAYS,
  initialStatus,
  readDoubleOptIn,
  unconfirmedCutoff,
  unconfirmedDays,
  unconfirmedExpired,
} from './double-opt-in.rules';

describe('double opt-in rules (R-C8)', () => {
  it('R-C8: reads doubleOptIn from JSON and CSV cells, and names anything else', () => {
    expect(readDoubleOptIn(undefined)).toEqual({ value: false });
    expect(readDoubleOptIn(null)).toEqual({ value: false });
    expect(readDoubleOptIn(false)).toEqual({ value: false });
    expect(readDoubleOptIn(true)).toEqual({ value: true });
    expect(readDoubleOptIn('TRUE')).toEqual({ value: true });
    expect(readDoubleOptIn(' yes ')).toEqual({ value: true });
    expect(readDoubleOptIn('1')).toEqual({ value: true });
    expect(readDoubleOptIn('0')).toEqual({ value: false });
    expect(readDoubleOptIn('')).toEqual({ value: false });
    expect(readDoubleOptIn('maybe')).toEqual({ problem: { field: 'doubleOptIn', reason: 'must be true or false' } });
    expect(readDoubleOptIn(1)).toEqual({ problem: { field: 'doubleOptIn', reason: 'must be true or false' } });
  });

  it('R-C8: a new contact with double opt-in is pending; a suppressed address stays suppressed (R-C7)', () => {
    expect(initialStatus({ suppressed: false, doubleOptIn: true })).toBe('pending');
    expect(initialStatus({ suppressed: false, doubleOptIn: false })).toBe('active');
    expect(initialStatus({ suppressed: true, doubleOptIn: true })).toBe('suppressed');
  });

  it('R-C8: unconfirmed contacts expire after the tenant days, 30 by default', () => {
    expect(unconfirmedDays(null)).toBe(DEFAULT_UNCONFIRMED_DAYS);
    expect(unconfirmedDays(0)).toBe(30);
    expect(unconfirmedDays(366)).toBe(30);
    expect(unconfirmedDays(7)).toBe(7);
    const now = new Date('2026-12-31T12:00:00Z');
    expect(unconfirmedCutoff(now, 30).toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(unconfirmedExpired(new Date('2026-12-01T11:59:59Z'), 30, now)).toBe(true);
    expect(unconfirmedExpired(new Date('2026-12-01T12:00:00Z'), 30, now)).toBe(false);
    expect(unconfirmedExpired(new Date('2026-12-24T11:00:00Z'), 7, now)).toBe(true);
  });

  it('R-C8: the confirmation keeps a cleaned, cut user agent', () => {
    expect(confirmationUserAgent('  Mozilla/5.0\r\n ')).toBe('Mozilla/5.0');
    expect(confirmationUserAgent('x'.repeat(500))).toHaveLength(256);
    expect(confirmationUserAgent(undefined)).toBeNull();
    expect(confirmationUserAgent('\u0000')).toBeNull();
  });
});
