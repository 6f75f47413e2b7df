import { complaintGuard, complaintNoticeSummary } from './complaint-guard.rules';

describe('R-S8: complaintGuard', () => {
  it('pauses above 0.3 % once 1,000 messages were delivered', () => {
    expect(complaintGuard({ delivered: 1000, complaints: 4 }).pause).toBe(true);
    expect(complaintGuard({ delivered: 1200, complaints: 4 }).pause).toBe(true);
  });

  it('does not pause at exactly 0.3 % or below', () => {
    expect(complaintGuard({ delivered: 1000, complaints: 3 }).pause).toBe(false);
    expect(complaintGuard({ delivered: 2000, complaints: 6 }).pause).toBe(false);
    expect(complaintGuard({ delivered: 5000, complaints: 0 }).pause).toBe(false);
  });

  it('does not pause before 1,000 delivered, whatever the rate', () => {
    expect(complaintGuard({ delivered: 999, complaints: 500 }).pause).toBe(false);
    expect(complaintGuard({ delivered: 0, complaints: 3 })).toEqual({ pause: false, rate: 0 });
  });

  it('writes a notice with ids and figures only', () => {
    expect(complaintNoticeSummary('c-1', 1000, 4)).toContain('4 complaints for 1000 delivered messages (0.40 %');
  });
});
