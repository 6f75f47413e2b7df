import type { Region } from '@missive/contracts';

/**
 * R-C3: the age under which a data subject is a child whose data we refuse, by regime. GDPR Art. 8 lets member
 * states choose 13–16; we take the strictest default (16). NA follows COPPA (13). Change it here, only here.
 */
export const MINIMUM_AGE: Readonly<Record<Region, number>> = Object.freeze({ EEA: 16, NA: 13 });

/** Whole years between a `YYYY-MM-DD` birth date and `now` (UTC calendar). */
export function ageOn(birthDate: string, now: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  let age = now.getUTCFullYear() - y;
  const beforeBirthday = now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}

/** A real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one.
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Birth dates repeat across a list: the verdict for a (date, regime, day) is computed once. */
const verdicts = new Map<string, string | null>();
const MAX_REMEMBERED = 50000;

/** R-C3: why this birth date is refused for a contact of this regime, or null. */
export function minorProblem(birthDate: string, region: Region, now: Date): string | null {
  const key = `${birthDate}|${region}|${Math.floor(now.getTime() / 86400000)}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = checkBirthDate(birthDate, region, now);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}

function checkBirthDate(birthDate: string, region: Region, now: Date): string | null {
  if (!isCalendarDate(birthDate)) return 'must be a date written YYYY-MM-DD';
  const age = ageOn(birthDate, now);
  if (age < 0) return 'is in the future';
  if (age > 150) return 'is more than 150 years ago';
  const minimum = MINIMUM_AGE[region];
  if (age < minimum) return `shows an age under ${minimum}: minors are not accepted for ${region} contacts`;
  return null;
}
