/**
 * Audience filters (R-C9): a tenant's `<filter>` tree, checked and compiled to a parameterised SQL condition over the
 * contact projection (`campaign_contacts c`, and `campaign_contact_engagement` for opens and clicks). No value and
 * no attribute key is ever written into the SQL: each becomes a `$n` parameter. The tree is bounded (depth,
 * conditions, `in` values, string lengths) so a hostile filter cannot stall the database or the process.
 *
 *   <filter>    = {all: [<filter>|<condition>, ...]} | {any: [...]}
 *   <condition> = {field, op: eq|neq|in|exists|gt|lt, value?}
 */

export const FILTER_OPS = ['eq', 'neq', 'in', 'exists', 'gt', 'lt'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** Groups nested at most this deep (the top group is depth 1). */
export const MAX_FILTER_DEPTH = 5;
/** Conditions in one filter, all groups together. */
export const MAX_FILTER_CONDITIONS = 50;
/** Groups and conditions together: groups cannot multiply without conditions either. */
export const MAX_FILTER_NODES = 2 * MAX_FILTER_CONDITIONS;
/** Problems reported for one filter; the walk stops there. */
const MAX_PROBLEMS = 20;
/** Values of one `in`. */
export const MAX_IN_VALUES = 1000;
/** Characters of one string value, and of an attribute's name. */
export const MAX_VALUE_LENGTH = 1000;
export const MAX_ATTRIBUTE_NAME_LENGTH = 200;
/** `openedWithinDays` / `clickedWithinDays`: whole days, 1 to 10 years. */
export const MAX_WITHIN_DAYS = 3650;

export interface FilterProblem {
  /** Where in the request: `filter.all[1].field`. */
  field: string;
  reason: string;
}

export interface CompiledFilter {
  /** A boolean SQL condition with placeholders numbered from the `firstParam` given. */
  sql: string;
  params: unknown[];
}

export type CompileResult = ({ ok: true } & CompiledFilter) | { ok: false; problems: FilterProblem[] };

type Kind = 'text' | 'email' | 'date' | 'timestamp' | 'attribute' | 'engagement';

/** The filterable contact fields and the projection expression each reads. */
const FIELDS: Record<string, { kind: Kind; sql: string }> = {
  email: { kind: 'email', sql: 'lower(c.email)' },
  firstName: { kind: 'text', sql: `(c.variables->>'firstName')` },
  lastName: { kind: 'text', sql: `(c.variables->>'lastName')` },
  phone: { kind: 'text', sql: `(c.variables->>'phone')` },
  locale: { kind: 'text', sql: `(c.variables->>'locale')` },
  status: { kind: 'text', sql: 'c.status' },
  region: { kind: 'text', sql: 'c.region' },
  lawfulBasis: { kind: 'text', sql: 'c.lawful_basis' },
  birthDate: { kind: 'date', sql: 'c.birth_date' },
  createdAt: { kind: 'timestamp', sql: 'c.created_at' },
  updatedAt: { kind: 'timestamp', sql: 'c.updated_at' },
  openedWithinDays: { kind: 'engagement', sql: 'e.last_opened_at' },
  clickedWithinDays: { kind: 'engagement', sql: 'e.last_clicked_at' },
};

export const FILTER_FIELDS = [...Object.keys(FIELDS), 'attributes.<name>'] as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A calendar-valid ISO-8601 date or date-time (year 1 to 9999), as an ISO instant; null otherwise. */
export function isoInstantOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  // Day within its month (the Date constructor would roll 31 February into March).
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  const time = Date.parse(m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : value.replace(' ', 'T'));
  if (Number.isNaN(time)) return null;
  const iso = new Date(time).toISOString();
  // An offset can move the instant outside years 1..9999, which PostgreSQL would refuse as written.
  return /^\d{4}-/.test(iso) && !iso.startsWith('0000') ? iso : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Half a UTF-16 pair: JSON carries it as an escape that PostgreSQL's jsonb refuses. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string the database takes as it is (no NUL, no half of a surrogate pair): bounded, and without NUL (which PostgreSQL text cannot hold). */
function isSafeString(value: unknown, max = MAX_VALUE_LENGTH): value is string {
  return typeof value === 'string' && value.length <= max && !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

type Scalar = string | number | boolean;
function isScalar(value: unknown): value is Scalar {
  return isSafeString(value) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

class Compiler {
  readonly params: unknown[] = [];
  readonly problems: FilterProblem[] = [];
  conditions = 0;
  nodes = 0;

  constructor(private readonly firstParam: number) {}

  private param(value: unknown): string {
    this.params.push(value);
    return `$${this.firstParam + this.params.length - 1}`;
  }

  private fail(field: string, reason: string): null {
    this.problems.push({ field, reason });
    return null;
  }

  private exhausted(): boolean {
    return (
      this.nodes > MAX_FILTER_NODES || this.conditions > MAX_FILTER_CONDITIONS || this.problems.length >= MAX_PROBLEMS
    );
  }

  group(node: unknown, path: string, depth: number): string | null {
    this.nodes += 1;
    if (this.nodes > MAX_FILTER_NODES)
      return this.fail(path, `the filter holds more than ${MAX_FILTER_NODES} groups and conditions`);
    if (!isPlainObject(node)) return this.fail(path, `must be an object with "all" or "any", not ${describe(node)}`);
    const keys = Object.keys(node);
    if (keys.length !== 1 || (keys[0] !== 'all' && keys[0] !== 'any'))
      return this.fail(path, 'must have exactly one key, "all" or "any"');
    if (depth > MAX_FILTER_DEPTH) return this.fail(path, `nests deeper than ${MAX_FILTER_DEPTH} groups`);
    const key = keys[0];
    const items = node[key];
    if (!Array.isArray(items) || items.length === 0)
      return this.fail(`${path}.${key}`, 'must be a non-empty array of conditions or groups');
    if (items.length > MAX_FILTER_CONDITIONS)
      return this.fail(`${path}.${key}`, `holds more than ${MAX_FILTER_CONDITIONS} conditions`);
    const parts: string[] = [];
    for (const [i, item] of items.entries()) {
      if (this.exhausted()) break;
      const at = `${path}.${key}[${i}]`;
      const sql =
        isPlainObject(item) && ('all' in item || 'any' in item)
          ? this.group(item, at, depth + 1)
          : this.condition(item, at);
      if (sql !== null) parts.push(sql);
    }
    return `(${parts.join(key === 'all' ? ' AND ' : ' OR ')})`;
  }

  condition(node: unknown, path: string): string | null {
    this.nodes += 1;
    this.conditions += 1;
    if (this.nodes > MAX_FILTER_NODES)
      return this.fail(path, `the filter holds more than ${MAX_FILTER_NODES} groups and conditions`);
    if (this.conditions > MAX_FILTER_CONDITIONS)
      return this.fail(path, `the filter holds more than ${MAX_FILTER_CONDITIONS} conditions`);
    if (!isPlainObject(node))
      return this.fail(path, `must be a condition {field, op, value} or a group, not ${describe(node)}`);
    const extra = Object.keys(node).filter((k) => k !== 'field' && k !== 'op' && k !== 'value');
    if (extra.length)
      return this.fail(
        `${path}.${extra[0].slice(0, 50)}`,
        `unknown key "${extra[0].slice(0, 50)}" (a condition has field, op, value)`,
      );
    const { field, op, value } = node;
    if (typeof field !== 'string') return this.fail(`${path}.field`, 'must be a string naming a field');
    if (typeof op !== 'string' || !(FILTER_OPS as readonly string[]).includes(op))
      return this.fail(
        `${path}.op`,
        `unknown operator ${typeof op === 'string' ? `"${op.slice(0, 50)}"` : describe(op)} (one of ${FILTER_OPS.join(', ')})`,
      );
    if (field.startsWith('attributes.')) {
      const name = field.slice('attributes.'.length);
      if (name.length === 0 || !isSafeString(name, MAX_ATTRIBUTE_NAME_LENGTH))
        return this.fail(`${path}.field`, `"${field.slice(0, 50)}" does not name an attribute`);
      return this.attribute(name, op as FilterOp, value, path);
    }
    const known = Object.hasOwn(FIELDS, field) ? FIELDS[field] : undefined;
    if (!known)
      return this.fail(`${path}.field`, `unknown field "${field.slice(0, 50)}" (one of ${FILTER_FIELDS.join(', ')})`);
    return this.column(known.kind, known.sql, field, op as FilterOp, value, path);
  }

  /** `exists`: true (or no value) for a present field, false for an absent one. */
  private existsWanted(value: unknown, path: string): boolean | null {
    if (value === undefined || value === true) return true;
    if (value === false) return false;
    this.fail(`${path}.value`, `exists takes true, false or no value, not ${describe(value)}`);
    return null;
  }

  private column(kind: Kind, sql: string, field: string, op: FilterOp, value: unknown, path: string): string | null {
    if (kind === 'engagement') return this.engagement(sql, field, op, value, path);
    if (op === 'exists') {
      const wanted = this.existsWanted(value, path);
      return wanted === null ? null : `${sql} IS ${wanted ? 'NOT ' : ''}NULL`;
    }
    const dated = kind === 'date' || kind === 'timestamp';
    if ((op === 'gt' || op === 'lt') && !dated)
      return this.fail(`${path}.op`, `${op} applies to numbers and dates; ${field} is text`);
    const cast = kind === 'date' ? '::date' : kind === 'timestamp' ? '::timestamptz' : '::text';
    const one = (v: unknown, at: string): string | null => {
      if (dated) {
        const iso = isoInstantOf(v);
        if (iso === null)
          return this.fail(at, `${field} takes an ISO-8601 date, not ${JSON.stringify(v)?.slice(0, 50)}`);
        return kind === 'date' ? iso.slice(0, 10) : iso;
      }
      if (!isSafeString(v)) return this.fail(at, `${field} takes a string of at most ${MAX_VALUE_LENGTH} characters`);
      return kind === 'email' ? v.toLowerCase() : v;
    };
    if (op === 'in') {
      const values = this.inValues(value, path, one);
      return values === null ? null : `${sql} = ANY(${this.param(values)}${cast}[])`;
    }
    const v = one(value, `${path}.value`);
    if (v === null) return null;
    const operator = { eq: '=', neq: 'IS DISTINCT FROM', gt: '>', lt: '<' }[op];
    return `${sql} ${operator} ${this.param(v)}${cast}`;
  }

  private inValues<T>(value: unknown, path: string, one: (v: unknown, at: string) => T | null): T[] | null {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES)
      return this.fail(`${path}.value`, `in takes an array of 1 to ${MAX_IN_VALUES} values`);
    const out: T[] = [];
    for (const [i, v] of value.entries()) {
      const checked = one(v, `${path}.value[${i}]`);
      if (checked === null) return null;
      out.push(checked);
    }
    return out;
  }

  /**
   * `attributes.X`: typed JSON equality for eq, neq and in (the number 5 is not the string "5"); gt and lt compare
   * numbers with numbers and dates with ISO-date strings, and an attribute of another type matches neither.
   */
  private attribute(name: string, op: FilterOp, value: unknown, path: string): string | null {
    const attr = `(c.variables->'attributes'->${this.param(name)}::text)`;
    if (op === 'exists') {
      const wanted = this.existsWanted(value, path);
      if (wanted === null) return null;
      return wanted
        ? `coalesce(jsonb_typeof(${attr}), 'null') <> 'null'`
        : `coalesce(jsonb_typeof(${attr}), 'null') = 'null'`;
    }
    const scalar = (v: unknown, at: string): string | null =>
      isScalar(v)
        ? JSON.stringify(v)
        : this.fail(at, `attributes take a string, number or boolean, not ${describe(v)}`);
    if (op === 'in') {
      const values = this.inValues(value, path, scalar);
      return values === null ? null : `${attr} = ANY(${this.param(values)}::jsonb[])`;
    }
    if (op === 'eq' || op === 'neq') {
      const v = scalar(value, `${path}.value`);
      if (v === null) return null;
      return `${attr} ${op === 'eq' ? '=' : 'IS DISTINCT FROM'} ${this.param(v)}::jsonb`;
    }
    const operator = op === 'gt' ? '>' : '<';
    if (typeof value === 'number' && Number.isFinite(value))
      // CASE, not AND: PostgreSQL does not promise to test the type before the cast.
      return `(CASE WHEN jsonb_typeof(${attr}) = 'number' THEN (${attr})::numeric ${operator} ${this.param(String(value))}::numeric END)`;
    const iso = isoInstantOf(value);
    if (iso !== null)
      return `(CASE WHEN jsonb_typeof(${attr}) = 'string' THEN campaign_try_timestamptz(${attr} #>> '{}') ${operator} ${this.param(iso)}::timestamptz END)`;
    return this.fail(`${path}.value`, `${op} takes a number or an ISO-8601 date, not ${describe(value)}`);
  }

  /**
   * `openedWithinDays` / `clickedWithinDays` (tracking's human opens and clicks, as it publishes them): eq N holds for
   * a contact who opened (clicked) in the last N days, neq N for one who did not (never included).
   */
  private engagement(sql: string, field: string, op: FilterOp, value: unknown, path: string): string | null {
    if (op !== 'eq' && op !== 'neq')
      return this.fail(`${path}.op`, `${field} takes eq (within the last N days) or neq (not within them), not ${op}`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_WITHIN_DAYS)
      return this.fail(`${path}.value`, `${field} takes a whole number of days from 1 to ${MAX_WITHIN_DAYS}`);
    const within = `EXISTS (SELECT 1 FROM campaign_contact_engagement e WHERE e.tenant_id = c.tenant_id AND e.contact_id = c.contact_id AND ${sql} >= now() - make_interval(days => ${this.param(value)}::int))`;
    return op === 'eq' ? within : `NOT ${within}`;
  }
}

/**
 * Checks a filter and compiles it to a SQL condition over `campaign_contacts c`, numbering its parameters from
 * `firstParam`. `path` names the filter in problems (`filter`, `audience.filter`).
 */
export function compileAudienceFilter(filter: unknown, firstParam: number, path = 'filter'): CompileResult {
  const compiler = new Compiler(firstParam);
  const sql = compiler.group(filter, path, 1);
  if (compiler.problems.length || sql === null) return { ok: false, problems: compiler.problems };
  return { ok: true, sql, params: compiler.params };
}

/** An audience as a campaign stores it: lists or tags, narrowed by a filter. */
export interface AudienceSpec {
  lists?: string[];
  tags?: string[];
  filter?: unknown;
}

/**
 * The whole audience condition over `campaign_contacts c` for one tenant, appending its parameters to `params`
 * (the tenant's id among them): on one of the lists or tags (every contact when neither is named), and matching
 * the filter if there is one. Throws on a filter that does not compile: callers check filters when they accept them.
 */
export function audienceCondition(tenantId: string, audience: AudienceSpec, params: unknown[]): string {
  params.push(tenantId);
  const tenant = `c.tenant_id = $${params.length}`;
  const lists = audience.lists ?? [];
  const tags = audience.tags ?? [];
  let base = 'TRUE';
  if (lists.length || tags.length) {
    params.push(lists, tags);
    base = `(c.lists && $${params.length - 1}::text[] OR c.tags && $${params.length}::text[])`;
  }
  if (audience.filter === undefined || audience.filter === null) return `${tenant} AND ${base}`;
  const compiled = compileAudienceFilter(audience.filter, params.length + 1);
  if (!compiled.ok) throw new Error(`audience filter does not compile: ${JSON.stringify(compiled.problems)}`);
  params.push(...compiled.params);
  return `${tenant} AND ${base} AND ${compiled.sql}`;
}

/** Lists or tags an audience names at most, and the characters of each (as POST /v1/campaigns takes them). */
export const MAX_AUDIENCE_NAMES = 100;
export const MAX_AUDIENCE_NAME_LENGTH = 200;

/**
 * `POST /v1/audiences/preview`'s body, `{lists?, tags?, filter?}`, checked as the campaign's audience is: the
 * audience, or every problem named by its field.
 */
export function parseAudienceRequest(
  body: unknown,
): { ok: true; audience: AudienceSpec } | { ok: false; problems: FilterProblem[] } {
  if (!isPlainObject(body)) return { ok: false, problems: [{ field: 'body', reason: 'must be a JSON object' }] };
  const problems: FilterProblem[] = [];
  const audience: AudienceSpec = {};
  for (const key of Object.keys(body))
    if (key !== 'lists' && key !== 'tags' && key !== 'filter')
      problems.push({ field: key.slice(0, 50), reason: 'is not a field of an audience (lists, tags, filter)' });
  for (const key of ['lists', 'tags'] as const) {
    const names = body[key];
    if (names === undefined) continue;
    if (
      !Array.isArray(names) ||
      names.length > MAX_AUDIENCE_NAMES ||
      !names.every((n) => isSafeString(n, MAX_AUDIENCE_NAME_LENGTH))
    )
      problems.push({
        field: key,
        reason: `must be an array of at most ${MAX_AUDIENCE_NAMES} strings of at most ${MAX_AUDIENCE_NAME_LENGTH} characters`,
      });
    else audience[key] = names as string[];
  }
  if (body.filter !== undefined) {
    const compiled = compileAudienceFilter(body.filter, 1, 'filter');
    if (compiled.ok) audience.filter = body.filter;
    else problems.push(...compiled.problems);
  }
  return problems.length ? { ok: false, problems } : { ok: true, audience };
}
