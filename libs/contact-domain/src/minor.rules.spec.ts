import { ageOn, isCalendarDate, MINIMUM_AGE, minorProblem } from './minor.rules';

const NOW = new Date('2025-06-15T12:00:00Z');

describe('minor rules (R-C3)', () => {
  it('R-C3: the ages live in one constant: 16 for EEA, 13 for NA', () => {
    expect(MINIMUM_AGE).toEqual({ EEA: 16, NA: 13 });
  });

  it('R-C3: counts whole years, the birthday itself included', () => {
    expect(ageOn('2009-06-15', NOW)).toBe(16);
    expect(ageOn('2009-06-16', NOW)).toBe(15);
  });

  it.each([
    ['2009-06-16', 'EEA', 'under 16'],
    ['2009-06-15', 'EEA', null],
    ['2012-06-16', 'NA', 'under 13'],
    ['2012-06-15', 'NA', null],
    ['2026-01-01', 'NA', 'future'],
    ['2023-02-29', 'NA', 'YYYY-MM-DD'],
  ] as const)('R-C3: born %s, regime %s → %s', (date, region, problem) => {
    const result = minorProblem(date, region, NOW);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toContain(problem);
  });

  it('reads only real calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2023-13-01')).toBe(false);
    expect(isCalendarDate('01/02/2003')).toBe(false);
  });
});
