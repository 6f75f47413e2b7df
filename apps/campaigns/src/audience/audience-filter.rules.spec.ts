import {
  audienceCondition,
  compileAudienceFilter,
  isoInstantOf,
  MAX_FILTER_CONDITIONS,
  MAX_IN_VALUES,
  parseAudienceRequest,
  type CompileResult,
} from './audience-filter.rules';

const ok = (r: CompileResult) => {
  if (!r.ok) throw new Error(`expected a compiled filter, got ${JSON.stringify(r.problems)}`);
  return r;
};
const problems = (r: CompileResult) => {
  if (r.ok) throw new Error(`expected problems, got ${r.sql}`);
  return r.problems;
};
const one = (condition: Record<string, unknown>, first = 1) => ok(compileAudienceFilter({ all: [condition] }, first));

describe('audience filters (R-C9)', () => {
  describe('every operator compiles to parameters, never to values in the SQL', () => {
    it('R-C9 eq and neq on a contact field', () => {
      expect(one({ field: 'locale', op: 'eq', value: 'fr' })).toEqual({
        ok: true,
        sql: `((c.variables->>'locale') = $1::text)`,
        params: ['fr'],
      });
      expect(one({ field: 'status', op: 'neq', value: 'active' }).sql).toBe('(c.status IS DISTINCT FROM $1::text)');
    });

    it('R-C9 eq on email ignores case', () => {
      expect(one({ field: 'email', op: 'eq', value: 'Ada@Example.COM' })).toMatchObject({
        sql: '(lower(c.email) = $1::text)',
        params: ['ada@example.com'],
      });
    });

    it('R-C9 in passes the values as one array parameter', () => {
      expect(one({ field: 'region', op: 'in', value: ['NA', 'EEA'] })).toMatchObject({
        sql: '(c.region = ANY($1::text[]))',
        params: [['NA', 'EEA']],
      });
    });

    it('R-C9 exists, and exists false', () => {
      expect(one({ field: 'phone', op: 'exists' }).sql).toBe(`((c.variables->>'phone') IS NOT NULL)`);
      expect(one({ field: 'birthDate', op: 'exists', value: false }).sql).toBe('(c.birth_date IS NULL)');
      expect(one({ field: 'phone', op: 'exists' }).params).toEqual([]);
    });

    it('R-C9 gt and lt on dates normalise the date', () => {
      expect(one({ field: 'createdAt', op: 'gt', value: '2026-01-02T03:04:05+01:00' })).toMatchObject({
        sql: '(c.created_at > $1::timestamptz)',
        params: ['2026-01-02T02:04:05.000Z'],
      });
      expect(one({ field: 'updatedAt', op: 'lt', value: '2026-01-02' }).params).toEqual(['2026-01-02T00:00:00.000Z']);
      expect(one({ field: 'birthDate', op: 'lt', value: '2000-06-30' })).toMatchObject({
        sql: '(c.birth_date < $1::date)',
        params: ['2000-06-30'],
      });
    });

    it('R-C9 attributes: the key is a parameter, eq is typed JSON equality', () => {
      const r = one({ field: 'attributes.plan', op: 'eq', value: 'pro' });
      expect(r.sql).toBe(`((c.variables->'attributes'->$1::text) = $2::jsonb)`);
      expect(r.params).toEqual(['plan', '"pro"']);
      expect(one({ field: 'attributes.seats', op: 'eq', value: 5 }).params).toEqual(['seats', '5']);
      expect(one({ field: 'attributes.vip', op: 'neq', value: true }).sql).toContain('IS DISTINCT FROM $2::jsonb');
      expect(one({ field: 'attributes.plan', op: 'in', value: ['pro', 3] })).toMatchObject({
        sql: `((c.variables->'attributes'->$1::text) = ANY($2::jsonb[]))`,
        params: ['plan', ['"pro"', '3']],
      });
    });

    it('R-C9 attributes: exists, gt on numbers and lt on dates, guarded by the JSON type', () => {
      expect(one({ field: 'attributes.plan', op: 'exists' }).sql).toBe(
        `(coalesce(jsonb_typeof((c.variables->'attributes'->$1::text)), 'null') <> 'null')`,
      );
      const gt = one({ field: 'attributes.seats', op: 'gt', value: 10 });
      expect(gt.sql).toContain(`CASE WHEN jsonb_typeof((c.variables->'attributes'->$1::text)) = 'number'`);
      expect(gt.sql).toContain('::numeric > $2::numeric');
      expect(gt.params).toEqual(['seats', '10']);
      const lt = one({ field: 'attributes.renewal', op: 'lt', value: '2027-01-01' });
      expect(lt.sql).toContain(
        `campaign_try_timestamptz((c.variables->'attributes'->$1::text) #>> '{}') < $2::timestamptz`,
      );
      expect(lt.params).toEqual(['renewal', '2027-01-01T00:00:00.000Z']);
    });

    it('R-C9 an attribute name with quotes or SQL stays a parameter', () => {
      const r = one({ field: `attributes.x'); DROP TABLE contacts; --`, op: 'eq', value: `'; DELETE --` });
      expect(r.sql).not.toContain('DROP');
      expect(r.sql).not.toContain('DELETE');
      expect(r.params).toEqual([`x'); DROP TABLE contacts; --`, JSON.stringify(`'; DELETE --`)]);
    });

    it('R-C9 openedWithinDays and clickedWithinDays read the engagement projection', () => {
      const opened = one({ field: 'openedWithinDays', op: 'eq', value: 30 });
      expect(opened.sql).toBe(
        '(EXISTS (SELECT 1 FROM campaign_contact_engagement e WHERE e.tenant_id = c.tenant_id AND e.contact_id = c.contact_id AND e.last_opened_at >= now() - make_interval(days => $1::int)))',
      );
      expect(opened.params).toEqual([30]);
      const notClicked = one({ field: 'clickedWithinDays', op: 'neq', value: 7 });
      expect(notClicked.sql).toMatch(/^\(NOT EXISTS .*e\.last_clicked_at >= /);
    });
  });

  describe('nesting and parameter numbering', () => {
    it('R-C9 all and any nest, and parameters number on from the first one given', () => {
      const r = ok(
        compileAudienceFilter(
          {
            any: [
              { field: 'locale', op: 'eq', value: 'de' },
              {
                all: [
                  { field: 'attributes.plan', op: 'eq', value: 'pro' },
                  { field: 'region', op: 'eq', value: 'NA' },
                ],
              },
            ],
          },
          4,
        ),
      );
      expect(r.sql).toBe(
        `((c.variables->>'locale') = $4::text OR ((c.variables->'attributes'->$5::text) = $6::jsonb AND c.region = $7::text))`,
      );
      expect(r.params).toEqual(['de', 'plan', '"pro"', 'NA']);
    });

    it('R-C9 the whole audience: tenant, lists or tags, then the filter, numbered after the caller parameters', () => {
      const params: unknown[] = ['campaign-id'];
      const sql = audienceCondition(
        'tenant-id',
        { lists: ['news'], tags: [], filter: { all: [{ field: 'locale', op: 'eq', value: 'fr' }] } },
        params,
      );
      expect(sql).toBe(
        `c.tenant_id = $2 AND (c.lists && $3::text[] OR c.tags && $4::text[]) AND ((c.variables->>'locale') = $5::text)`,
      );
      expect(params).toEqual(['campaign-id', 'tenant-id', ['news'], [], 'fr']);
    });

    it('R-C9 without lists or tags the audience is every contact the filter matches; without a filter, the lists', () => {
      const params: unknown[] = [];
      expect(audienceCondition('t', { filter: { all: [{ field: 'phone', op: 'exists' }] } }, params)).toBe(
        `c.tenant_id = $1 AND TRUE AND ((c.variables->>'phone') IS NOT NULL)`,
      );
      const listParams: unknown[] = [];
      expect(audienceCondition('t', { lists: ['a'] }, listParams)).toBe(
        'c.tenant_id = $1 AND (c.lists && $2::text[] OR c.tags && $3::text[])',
      );
      expect(() => audienceCondition('t', { filter: { all: [] } }, [])).toThrow(/does not compile/);
    });
  });

  describe('rejections name the place in the filter', () => {
    it('R-C9 an unknown field', () => {
      expect(problems(compileAudienceFilter({ all: [{ field: 'shoeSize', op: 'eq', value: 1 }] }, 1))).toEqual([
        { field: 'filter.all[0].field', reason: expect.stringContaining('unknown field "shoeSize"') },
      ]);
      expect(problems(compileAudienceFilter({ all: [{ field: '__proto__', op: 'eq', value: 'x' }] }, 1))[0].field).toBe(
        'filter.all[0].field',
      );
    });

    it('R-C9 an unknown operator', () => {
      const p = problems(
        compileAudienceFilter(
          {
            any: [
              { field: 'locale', op: 'eq', value: 'x' },
              { field: 'locale', op: 'like', value: 'x' },
            ],
          },
          1,
          'audience.filter',
        ),
      );
      expect(p).toEqual([
        { field: 'audience.filter.any[1].op', reason: expect.stringContaining('unknown operator "like"') },
      ]);
    });

    it('R-C9 a bad value type', () => {
      const reject = (condition: Record<string, unknown>) =>
        problems(compileAudienceFilter({ all: [condition] }, 1))[0].field;
      expect(reject({ field: 'locale', op: 'eq', value: 5 })).toBe('filter.all[0].value');
      expect(reject({ field: 'locale', op: 'gt', value: 'a' })).toBe('filter.all[0].op');
      expect(reject({ field: 'createdAt', op: 'gt', value: 'yesterday' })).toBe('filter.all[0].value');
      expect(reject({ field: 'createdAt', op: 'gt', value: '2026-02-30' })).toBe('filter.all[0].value');
      expect(reject({ field: 'attributes.seats', op: 'gt', value: true })).toBe('filter.all[0].value');
      expect(reject({ field: 'attributes.seats', op: 'eq', value: { a: 1 } })).toBe('filter.all[0].value');
      expect(reject({ field: 'attributes.seats', op: 'eq', value: null })).toBe('filter.all[0].value');
      expect(reject({ field: 'attributes.seats', op: 'eq', value: 'a\u0000b' })).toBe('filter.all[0].value');
      expect(reject({ field: 'attributes.seats', op: 'eq', value: 'a\ud800b' })).toBe('filter.all[0].value');
      expect(reject({ field: 'attributes.\udc00', op: 'exists' })).toBe('filter.all[0].field');
      expect(reject({ field: 'attributes.', op: 'exists' })).toBe('filter.all[0].field');
      expect(reject({ field: 'region', op: 'in', value: [] })).toBe('filter.all[0].value');
      expect(reject({ field: 'region', op: 'in', value: ['NA', 3] })).toBe('filter.all[0].value[1]');
      expect(reject({ field: 'phone', op: 'exists', value: 'yes' })).toBe('filter.all[0].value');
      expect(reject({ field: 'openedWithinDays', op: 'gt', value: 3 })).toBe('filter.all[0].op');
      expect(reject({ field: 'openedWithinDays', op: 'eq', value: 0 })).toBe('filter.all[0].value');
      expect(reject({ field: 'clickedWithinDays', op: 'eq', value: 1.5 })).toBe('filter.all[0].value');
      expect(reject({ field: 'locale', op: 'eq', value: 'x', extra: 1 })).toBe('filter.all[0].extra');
      expect(reject({ field: 7, op: 'eq', value: 'x' })).toBe('filter.all[0].field');
    });

    it('R-C9 malformed groups', () => {
      expect(problems(compileAudienceFilter('all', 1))[0].field).toBe('filter');
      expect(problems(compileAudienceFilter({ all: [], any: [] }, 1))[0].field).toBe('filter');
      expect(problems(compileAudienceFilter({ none: [] }, 1))[0].field).toBe('filter');
      expect(problems(compileAudienceFilter({ all: [] }, 1))[0].field).toBe('filter.all');
      expect(problems(compileAudienceFilter({ all: {} }, 1))[0].field).toBe('filter.all');
      expect(problems(compileAudienceFilter({ all: [null] }, 1))[0].field).toBe('filter.all[0]');
    });
  });

  describe('bounds against hostile filters', () => {
    const leaf = { field: 'locale', op: 'eq', value: 'x' };
    const nest = (depth: number): unknown => (depth === 1 ? { all: [leaf] } : { all: [nest(depth - 1)] });

    it('R-C9 groups nest at most five deep', () => {
      expect(ok(compileAudienceFilter(nest(5), 1)).params).toEqual(['x']);
      expect(problems(compileAudienceFilter(nest(6), 1))).toEqual([
        { field: 'filter.all[0].all[0].all[0].all[0].all[0]', reason: expect.stringContaining('deeper than 5') },
      ]);
    });

    it('R-C9 at most 50 conditions in the whole filter', () => {
      expect(ok(compileAudienceFilter({ all: Array(MAX_FILTER_CONDITIONS).fill(leaf) }, 1)).params).toHaveLength(50);
      expect(problems(compileAudienceFilter({ all: Array(51).fill(leaf) }, 1))[0].field).toBe('filter.all');
      const spread = { any: [{ all: Array(30).fill(leaf) }, { all: Array(30).fill(leaf) }] };
      expect(problems(compileAudienceFilter(spread, 1))).toEqual([
        { field: 'filter.any[1].all[20]', reason: expect.stringContaining('more than 50 conditions') },
      ]);
    });

    it('R-C9 a wide tree of groups is cut short, not walked', () => {
      // One shared child per level: 50^5 conditions as a parsed body would hold them, built in no time.
      const wide = (depth: number): unknown => (depth === 0 ? leaf : { all: Array(50).fill(wide(depth - 1)) });
      const started = Date.now();
      const p = problems(compileAudienceFilter(wide(5), 1));
      expect(Date.now() - started).toBeLessThan(200);
      expect(p.length).toBeGreaterThan(0);
      expect(p.length).toBeLessThanOrEqual(25);
    });

    it('R-C9 in takes at most 1000 values, and strings are bounded', () => {
      expect(
        ok(compileAudienceFilter({ all: [{ field: 'locale', op: 'in', value: Array(MAX_IN_VALUES).fill('x') }] }, 1)),
      );
      expect(
        problems(compileAudienceFilter({ all: [{ field: 'locale', op: 'in', value: Array(1001).fill('x') }] }, 1))[0],
      ).toEqual({ field: 'filter.all[0].value', reason: expect.stringContaining('1 to 1000') });
      expect(
        problems(compileAudienceFilter({ all: [{ field: 'locale', op: 'eq', value: 'x'.repeat(1001) }] }, 1))[0].field,
      ).toBe('filter.all[0].value');
      expect(
        problems(compileAudienceFilter({ all: [{ field: `attributes.${'k'.repeat(201)}`, op: 'exists' }] }, 1))[0]
          .field,
      ).toBe('filter.all[0].field');
    });
  });

  it('R-C9 ISO dates: calendar-valid, years 1 to 9999', () => {
    expect(isoInstantOf('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(isoInstantOf('2023-02-29')).toBeNull();
    expect(isoInstantOf('0000-01-01')).toBeNull();
    expect(isoInstantOf('0001-01-01T00:00:00+01:00')).toBeNull();
    expect(isoInstantOf('9999-12-31T23:00:00Z')).toBe('9999-12-31T23:00:00.000Z');
    expect(isoInstantOf('2026-01-01T25:00:00Z')).toBeNull();
    expect(isoInstantOf('2026-01-01T10:00')).not.toBeNull();
    expect(isoInstantOf(20260101)).toBeNull();
  });
});

describe('the preview request (R-C9)', () => {
  it('R-C9 takes lists, tags and a filter', () => {
    const filter = { all: [{ field: 'locale', op: 'eq', value: 'fr' }] };
    expect(parseAudienceRequest({ lists: ['news'], filter })).toEqual({
      ok: true,
      audience: { lists: ['news'], filter },
    });
    expect(parseAudienceRequest({})).toEqual({ ok: true, audience: {} });
  });

  it('R-C9 names every field at fault', () => {
    const r = parseAudienceRequest({
      lists: 'news',
      tags: ['a\u0000'],
      size: 1,
      filter: { all: [{ field: 'x', op: 'eq' }] },
    });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['size', 'lists', 'tags', 'filter.all[0].field']);
    expect(parseAudienceRequest([])).toEqual({
      ok: false,
      problems: [{ field: 'body', reason: 'must be a JSON object' }],
    });
  });
});
