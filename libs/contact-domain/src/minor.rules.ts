import type { Region } from '@missive/contracts';

/**
 * R-C3: per regime, the age under which a data subject is a child whose data we refuse and whom we never mail.
 * Configured per region (MissiveConfig.minimumAges: MINIMUM_AGE_NA, MINIMUM_AGE_EEA; defaults COPPA's 13 and GDPR
 * Art. 8's strictest 16), so a member state's lower age is a setting, not a code change.
 */
export type MinimumAges = Readonly<Record<Region, number>>;

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

/**
 * R-C3: whether a person born on `birthDate` (`YYYY-MM-DD`) is under the minimum age of `region` on `now`. The one
 * rule the contacts API, imports and the campaigns send gate all read.
 */
export function isMinor(birthDate: string, region: Region, minimumAges: MinimumAges, now: Date): boolean {
  return ageOn(birthDate, now) < minimumAges[region];
}

/** Birth dates repeat across a list: the verdict for a (date, regime, minimum age, day) is computed once. */
const verdicts = new Map<string, string | null>();
const MAX_REMEMBERED = 50000;

/** R-C3: why this birth date is refused for a contact of this regime, or null. */
export function minorProblem(birthDate: string, region: Region, minimumAges: MinimumAges, now: Date): string | null {
  const key = `${birthDate}|${region}|${minimumAges[region]}|${Math.floor(now.getTime() / 86400000)}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = checkBirthDate(birthDate, region, minimumAges, now);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}

function checkBirthDate(birthDate: string, region: Region, minimumAges: MinimumAges, now: Date): string | null {
  if (!isCalendarDate(birthDate)) return 'must be a date written YYYY-MM-DD';
  const age = ageOn(birthDate, now);
  if (age < 0) return 'is in the future';
  if (age > 150) return 'is more than 150 years ago';
  const minimum = minimumAges[region];
  if (isMinor(birthDate, region, minimumAges, now))
    return `shows an age under ${minimum}: minors are not accepted for ${region} contacts`;
  return null;
}
