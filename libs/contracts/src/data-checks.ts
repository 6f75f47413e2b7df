/**
 * A check of one value of an event's `data`: null when it conforms, else where the first failing field is, relative to
 * the value (`''` for the value itself, `.contacts[3].status` below it); `dataViolationPath` makes it absolute. Paths
 * name schema fields and array indexes only, never a value, so they can be logged (values may be personal, R-X2).
 * Plain functions that allocate nothing while a value conforms: the tracking consumer checks thousands of hits a
 * second (class-validator's `isISO8601` alone cost more than the whole check of a hit, so it is not used here).
 */
export type DataCheck = (value: unknown) => string | null;

/** The absolute path (`data.contactIds[2]`) of the first field of `data` that breaks `check`, or null. */
export function dataViolationPath(check: DataCheck, data: unknown): string | null {
  const failed = check(data);
  return failed === null ? null : `data${failed}`;
}

/** What the inbox and row-level security cast to uuid accept (the envelope's own test, `isEventEnvelope`). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An instant: date, time and offset, as `toISOString()` writes it; a bare date or a local time is not one. */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isInstant(v: unknown): boolean {
  const m = typeof v === 'string' ? INSTANT.exec(v) : null;
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

const ok = (pass: boolean): string | null => (pass ? null : '');

export const uuid: DataCheck = (v) => ok(typeof v === 'string' && UUID.test(v));
/** A real calendar date (no 30 February) with a time and an offset. */
export const instant: DataCheck = (v) => ok(isInstant(v));
export const text: DataCheck = (v) => ok(typeof v === 'string');
export const bool: DataCheck = (v) => ok(typeof v === 'boolean');

export function int(min: number): DataCheck {
  return (v) => ok(typeof v === 'number' && Number.isSafeInteger(v) && v >= min);
}

export function oneOf(values: readonly string[]): DataCheck {
  const allowed = new Set(values);
  return (v) => ok(typeof v === 'string' && allowed.has(v));
}

export function nullable(check: DataCheck): DataCheck {
  return (v) => (v === null ? null : check(v));
}

/** A field a producer may leave out (absent in older events); when present it must conform. */
export function optional(check: DataCheck): DataCheck {
  return (v) => (v === undefined ? null : check(v));
}

export function arrayOf(item: DataCheck): DataCheck {
  return (v) => {
    if (!Array.isArray(v)) return '';
    for (let i = 0; i < v.length; i++) {
      const failed = item(v[i]);
      if (failed !== null) return `[${i}]${failed}`;
    }
    return null;
  };
}

/**
 * An object with these fields. Fields it does not name are allowed and left alone: a producer one version ahead
 * may add some (forward compatibility); a consumer reads only what its version names.
 */
export function shape(fields: Readonly<Record<string, DataCheck>>): DataCheck {
  const entries = Object.entries(fields);
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return '';
    const o = v as Record<string, unknown>;
    for (const [key, check] of entries) {
      const failed = check(Object.hasOwn(o, key) ? o[key] : undefined);
      if (failed !== null) return `.${key}${failed}`;
    }
    return null;
  };
}

/** The named array fields hold one entry per element of the first (columns of one table); checked after `shape`. */
export function sameLengths(check: DataCheck, columns: readonly string[]): DataCheck {
  const [first, ...rest] = columns;
  return (v) => {
    const failed = check(v);
    if (failed !== null) return failed;
    const o = v as Record<string, unknown>;
    const length = (column: string) => (Array.isArray(o[column]) ? o[column].length : -1);
    const mismatch = rest.find((column) => length(column) !== length(first));
    return mismatch === undefined ? null : `.${mismatch}`;
  };
}
