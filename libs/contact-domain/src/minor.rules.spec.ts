import { ageOn, isCalendarDate, isMinor, minorProblem } from './minor.rules';

const NOW = new Date('2025-06-15T12:00:00Z');
/** The configured defaults (MINIMUM_AGE_NA, MINIMUM_AGE_EEA). */
const AGES = { NA: 13, EEA: 16 };

describe('minor rules (R-C3)', () => {
  it('R-C3: a minor is under the configured age of their regime, whatever it is set to', () => {
    expect(isMinor('2009-06-16', 'EEA', AGES, NOW)).toBe(true);
    expect(isMinor('2009-06-16', 'EEA', { ...AGES, EEA: 14 }, NOW)).toBe(false);
    expect(isMinor('2011-06-15', 'EEA', { ...AGES, EEA: 14 }, NOW)).toBe(false);
    expect(isMinor('2011-06-16', 'EEA', { ...AGES, EEA: 14 }, NOW)).toBe(true);
    expect(isMinor('2010-01-01', 'NA', { ...AGES, NA: 18 }, NOW)).toBe(true);
    expect(isMinor('2010-01-01', 'NA', AGES, NOW)).toBe(false);
  });

  it('R-C3: the refusal names the configured age, and a changed setting is not answered from the cache', () => {
    expect(minorProblem('2010-01-01', 'NA', AGES, NOW)).toBeNull();
    expect(minorProblem('2010-01-01', 'NA', { ...AGES, NA: 18 }, NOW)).toContain('under 18');
    expect(minorProblem('2010-01-01', 'NA', AGES, NOW)).toBeNull();
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
    const result = minorProblem(date, region, AGES, NOW);
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
