import { effectiveStatus } from './tenant-status.rules';

describe('effectiveStatus', () => {
  const now = new Date('2026-01-10T12:00:00Z');

  it('R-P1: a termination recorded for the future leaves the tenant active until then', () => {
    expect(effectiveStatus({ status: 'active', terminatedAt: new Date('2026-01-11T00:00:00Z') }, now)).toBe('active');
  });

  it('R-P1: from terminatedAt on the tenant is terminated', () => {
    expect(effectiveStatus({ status: 'active', terminatedAt: new Date('2026-01-10T12:00:00Z') }, now)).toBe(
      'terminated',
    );
  });

  it('R-P2: a purged tenant stays purged', () => {
    expect(effectiveStatus({ status: 'purged', terminatedAt: new Date('2025-01-01T00:00:00Z') }, now)).toBe('purged');
    expect(effectiveStatus({ status: 'terminated', terminatedAt: null, purgedAt: now }, now)).toBe('purged');
  });
});
