import { type FieldProblem, WRITABLE_FIELDS } from '@missive/contact-domain';

/**
 * How the columns of an import file become the API's contact body (API.md), so that the import is checked by
 * the very rules the API uses (`validateContactInput`). Columns are named as the contact fields, nested ones
 * dotted: `consent.givenAt`, `attributes.X`; `lists` and `tags` hold `;`-separated values.
 */
type Setter = (input: Record<string, unknown>, value: string) => void;

export interface ColumnPlan {
  columns: string[];
  /** One setter per column; null for a column that is ignored (unknown or repeated). */
  setters: (Setter | null)[];
  /** Problems of the header itself, reported on line 1 (they reject no row). */
  problems: FieldProblem[];
}

const CONSENT_FIELDS = new Set(['givenAt', 'source', 'ip', 'text', 'explicit']);
const BOOLEAN_FIELDS = new Set(['trackingConsent', 'consent.explicit']);
const LIST_FIELDS = new Set(['lists', 'tags']);
const TOP_LEVEL = new Set<string>(WRITABLE_FIELDS.filter((f) => f !== 'consent' && f !== 'attributes'));

/** `true/false`, `1/0`, `yes/no` (any case) become booleans; anything else stays text and fails validation. */
function booleanOf(value: string): boolean | string {
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
    case 'y':
      return true;
    case 'false':
    case '0':
    case 'no':
    case 'n':
      return false;
    default:
      return value;
  }
}

function converter(name: string): (value: string) => unknown {
  if (BOOLEAN_FIELDS.has(name)) return booleanOf;
  if (LIST_FIELDS.has(name)) return (value) => value.split(';');
  return (value) => value;
}

/** Reads a CSV header: which column sets which field; unknown and repeated columns are reported and ignored. */
export function planColumns(header: string[]): ColumnPlan {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const columns = header.map((h) => h.trim());
  const setters = columns.map((name): Setter | null => {
    if (seen.has(name)) {
      problems.push({ field: name, reason: 'repeated column: only the first one is read' });
      return null;
    }
    seen.add(name);
    const convert = converter(name);
    if (TOP_LEVEL.has(name)) return (input, value) => void (input[name] = convert(value));
    // R-C8: not a stored field; the import reads it as the API does (`doubleOptIn` in POST /v1/contacts).
    if (name === 'doubleOptIn') return (input, value) => void (input[name] = value);
    const dot = name.indexOf('.');
    const group = dot > 0 ? name.slice(0, dot) : '';
    const key = name.slice(dot + 1);
    if (group === 'consent' && CONSENT_FIELDS.has(key)) {
      return (input, value) => {
        const consent = (input.consent ??= {}) as Record<string, unknown>;
        consent[key] = convert(value);
      };
    }
    if (group === 'attributes' && key) {
      return (input, value) => {
        const attributes = (input.attributes ??= {}) as Record<string, unknown>;
        attributes[key] = value;
      };
    }
    problems.push({
      field: name || '(empty)',
      reason: 'unknown column, ignored: columns are the contact fields (consent.X, attributes.X for nested ones)',
    });
    return null;
  });
  if (!seen.has('email')) problems.push({ field: 'email', reason: 'column is missing' });
  return { columns, setters, problems };
}

/** One CSV record as the API body; empty cells are left out (as if the field were not given). */
export function csvRecordToInput(plan: ColumnPlan, values: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const n = Math.min(values.length, plan.setters.length);
  for (let i = 0; i < n; i++) {
    const value = values[i];
    const set = plan.setters[i];
    if (value !== '' && set !== null) set(input, value);
  }
  return input;
}

/** The first field holding U+FFFD, which is what invalid UTF-8 bytes decode to; null if none. */
export function fieldWithInvalidText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\uFFFD') ? path || 'row' : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, inner] of Object.entries(value)) {
    const hit = fieldWithInvalidText(inner, path ? `${path}.${key}` : key);
    if (hit) return hit;
  }
  return null;
}
