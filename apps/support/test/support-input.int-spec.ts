import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestTenant, http, startTestServices, TEST_BOOTSTRAP_TOKEN, type TestServices } from '@missive/testing';
import { supportService } from '../src/service';

/** A generated value that knows whether the API should accept it. */
type Tagged<T> = { value: T; good: boolean };
const good = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Tagged<T>> => arb.map((value) => ({ value, good: true }));
const bad = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Tagged<T>> => arb.map((value) => ({ value, good: false }));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const notUuid = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/).filter((s) => !UUID.test(s));
const base64url43 = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);

/** What a request's Authorization header is: the bootstrap token, or something that must answer 401. */
const authorization: fc.Arbitrary<Tagged<string | undefined>> = fc.oneof(
  { weight: 6, arbitrary: good(fc.constant(`Bearer ${TEST_BOOTSTRAP_TOKEN}`)) },
  {
    weight: 4,
    arbitrary: bad(
      fc.oneof(
        fc.constant(undefined),
        fc.constant('Bearer'),
        fc.stringMatching(/^[\x21-\x7e]{0,60}$/),
        fc.stringMatching(/^[\x21-\x7e]{1,60}$/).map((s) => `Bearer ${s}`),
        base64url43.map((s) => `Bearer mst_${s}`),
        base64url43.map((s) => `Bearer mk_${s}`),
        fc.constant(`Basic ${Buffer.from('admin:admin').toString('base64')}`),
      ),
    ),
  },
);

interface Field {
  name: string;
  arb: fc.Arbitrary<Tagged<unknown>>;
  optional?: boolean;
}

/** A JSON body built field by field, each good or bad, plus sometimes a field the DTO does not know. */
function body(fields: Field[]): fc.Arbitrary<{ value: Record<string, unknown>; badFields: string[] }> {
  const parts = fields.map((f) =>
    f.optional
      ? fc.option(f.arb, { nil: undefined }).map((v) => [f.name, v] as const)
      : f.arb.map((v) => [f.name, v] as const),
  );
  // A required field is left out now and then (about one time in five).
  const missing = fields.map((f) =>
    f.optional ? fc.constant(false) : fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  );
  return fc
    .tuple(
      fc.tuple(...parts),
      fc.tuple(...missing),
      fc.option(fc.constantFrom('isAdmin', 'tenantId', 'id', '__proto__x'), { nil: undefined }),
    )
    .map(([values, drop, extra]) => {
      const value: Record<string, unknown> = {};
      const badFields: string[] = [];
      values.forEach(([name, tagged], i) => {
        if (drop[i]) {
          badFields.push(name);
          return;
        }
        if (tagged === undefined) return;
        value[name] = tagged.value;
        if (!tagged.good) badFields.push(name);
      });
      if (extra) {
        value[extra] = 'surprise';
        badFields.push(extra);
      }
      return { value, badFields };
    });
}

interface RouteCase {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  /** Fields (body, query or path) that are wrong and must be named in a 400. */
  badFields: string[];
}

describe('R-X2, R-C5: bad input to every support route gets a 4xx naming the field, never a 5xx', () => {
  let services: TestServices;
  let tenantId: string;

  beforeAll(async () => {
    services = await startTestServices([supportService], { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN });
    tenantId = (await createTestTenant(services, { region: 'EEA' })).tenant.id;
  });

  afterAll(async () => {
    await services?.stop();
  });

  const id = (name: string) =>
    fc.oneof(
      good(fc.constant(undefined)).map(() => ({ value: tenantId, good: true, name })),
      good(fc.uuid()).map((t) => ({ ...t, name })),
      bad(notUuid).map((t) => ({ ...t, name })),
    );
  const pathOf = (...ids: { value: string; good: boolean; name: string }[]) => ({
    encode: (template: (...v: string[]) => string) => template(...ids.map((i) => encodeURIComponent(i.value))),
    badFields: ids.filter((i) => !i.good).map((i) => i.name),
  });
  const region = fc.oneof(
    good(fc.constantFrom('NA', 'EEA')),
    bad(fc.oneof(fc.constantFrom('MARS', 'na', 'EU', ''), wrongType)),
  );
  const text = (max: number) =>
    fc.oneof(
      good(fc.string({ minLength: 1, maxLength: 40 })),
      bad(fc.oneof(fc.constant(''), fc.string({ minLength: max + 1, maxLength: max + 5 }), wrongType)),
    );

  const routes: [string, fc.Arbitrary<RouteCase>][] = [
    [
      'POST /internal/v1/tenants',
      body([
        { name: 'name', arb: text(200) },
        { name: 'region', arb: region },
        {
          name: 'transferSafeguard',
          arb: fc.oneof(
            good(fc.constant('SCC')),
            bad(
              fc.oneof(
                fc.constant('pinky promise'),
                wrongType.filter((v) => v !== null),
              ),
            ),
          ),
          optional: true,
        },
      ]).map((b) => ({ method: 'POST', path: '/internal/v1/tenants', body: b.value, badFields: b.badFields })),
    ],
    [
      'GET /internal/v1/tenants/{id}',
      id('id').map((i) => {
        const p = pathOf(i);
        return { method: 'GET', path: p.encode((v) => `/internal/v1/tenants/${v}`), badFields: p.badFields };
      }),
    ],
    [
      'POST /internal/v1/tenants/{id}/api-keys',
      id('id').map((i) => {
        const p = pathOf(i);
        return { method: 'POST', path: p.encode((v) => `/internal/v1/tenants/${v}/api-keys`), badFields: p.badFields };
      }),
    ],
    [
      'DELETE /internal/v1/tenants/{id}/api-keys/{keyId}',
      fc.tuple(id('id'), id('keyId')).map(([a, b]) => {
        const p = pathOf(a, b);
        return {
          method: 'DELETE',
          path: p.encode((x, y) => `/internal/v1/tenants/${x}/api-keys/${y}`),
          badFields: p.badFields,
        };
      }),
    ],
    [
      'GET /internal/v1/audit',
      fc
        .tuple(
          fc.option(fc.oneof(good(fc.uuid()), bad(notUuid)), { nil: undefined }),
          fc.option(
            fc.oneof(
              good(fc.integer({ min: 1, max: 1000 }).map(String)),
              bad(fc.constantFrom('0', '1001', 'abc', '1.5', '-3')),
            ),
            { nil: undefined },
          ),
          fc.option(fc.constantFrom('foo', 'offset'), { nil: undefined }),
        )
        .map(([tid, limit, extra]) => {
          const query = new URLSearchParams();
          const badFields: string[] = [];
          if (tid) {
            query.set('tenantId', tid.value);
            if (!tid.good) badFields.push('tenantId');
          }
          if (limit) {
            query.set('limit', limit.value);
            if (!limit.good) badFields.push('limit');
          }
          if (extra) {
            query.set(extra, '1');
            badFields.push(extra);
          }
          return { method: 'GET', path: `/internal/v1/audit?${query}`, badFields };
        }),
    ],
    ['GET /internal/v1/audit/verify', fc.constant({ method: 'GET', path: '/internal/v1/audit/verify', badFields: [] })],
    [
      'POST /internal/v1/incidents',
      body([
        {
          name: 'tenantIds',
          arb: fc.oneof(
            good(fc.constant(undefined)).map(() => ({ value: [tenantId], good: true })),
            bad(
              fc.oneof(
                fc.constant([]),
                fc.array(notUuid, { minLength: 1, maxLength: 3 }),

                wrongType,
              ),
            ),
          ),
        },
        { name: 'summary', arb: text(4000) },
        {
          name: 'detectedAt',
          arb: fc.oneof(
            good(fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01') }).map((d) => d.toISOString())),
            bad(fc.oneof(fc.constantFrom('yesterday', '2026-13-45T00:00:00Z', ''), wrongType)),
          ),
        },
      ]).map((b) => ({ method: 'POST', path: '/internal/v1/incidents', body: b.value, badFields: b.badFields })),
    ],
    [
      'POST /internal/v1/staff-tokens',
      body([
        { name: 'name', arb: text(200) },
        {
          name: 'role',
          arb: fc.oneof(
            good(fc.constantFrom('support', 'admin')),
            bad(fc.oneof(fc.constantFrom('root', 'ADMIN'), wrongType)),
          ),
        },
        { name: 'region', arb: region },
      ]).map((b) => ({ method: 'POST', path: '/internal/v1/staff-tokens', body: b.value, badFields: b.badFields })),
    ],
    [
      'DELETE /internal/v1/staff-tokens/{id}',
      id('id').map((i) => {
        const p = pathOf(i);
        return { method: 'DELETE', path: p.encode((v) => `/internal/v1/staff-tokens/${v}`), badFields: p.badFields };
      }),
    ],
  ];

  it.each(routes)('%s', async (_, route) => {
    await fc.assert(
      fc.asyncProperty(route, authorization, async (req, auth) => {
        const res = await http(req.method, `${services.supportUrl}${req.path}`, {
          headers: auth.value === undefined ? {} : { authorization: auth.value },
          ...(req.body !== undefined ? { body: req.body } : {}),
        });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body).toEqual({
            error: expect.any(String),
            message: expect.any(String),
            details: expect.any(Array),
          });
        }
        if (!auth.good) {
          expect(res.status).toBe(401);
          expect(res.body.details).toEqual([{ field: 'authorization', reason: expect.any(String) }]);
          return;
        }
        // Unknown tenant ids in an incident are a 400 found by the service; every other bad field by validation.
        if (req.badFields.length > 0) {
          expect(res.status).toBe(400);
          const named = new Set(res.body.details.map((d: { field?: string }) => d.field?.split('.')[0]));
          for (const field of req.badFields) expect(named).toContain(field);
          for (const d of res.body.details) expect(d.field).toEqual(expect.any(String));
        } else {
          expect([200, 201, 204, 403, 404]).toContain(res.status);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('R-X2: region MARS is a 400 naming region', async () => {
    const res = await http('POST', `${services.supportUrl}/internal/v1/tenants`, {
      token: TEST_BOOTSTRAP_TOKEN,
      body: { name: 'Mars Inc.', region: 'MARS' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_input',
      message: expect.stringContaining('region'),
      details: [{ field: 'region', reason: expect.any(String) }],
    });
  });

  it.each(['POST /internal/v1/tenants', 'POST /internal/v1/incidents', 'POST /internal/v1/staff-tokens'])(
    'R-X2: a 1 MB body to %s is refused with 413',
    async (route) => {
      const [method, path] = route.split(' ');
      const res = await http(method, `${services.supportUrl}${path}`, {
        token: TEST_BOOTSTRAP_TOKEN,
        body: { name: 'x'.repeat(1024 * 1024), region: 'NA' },
      });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: 'payload_too_large', message: expect.any(String), details: expect.any(Array) });
    },
  );

  it.each([['5'], ['"a string"'], ['true'], ['[1,2]'], ['null'], ['{"name":']])(
    'R-X2: a JSON body %s is a 400, not a 5xx',
    async (raw) => {
      const res = await http('POST', `${services.supportUrl}/internal/v1/tenants`, {
        token: TEST_BOOTSTRAP_TOKEN,
        headers: { 'content-type': 'application/json' },
        raw,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String), message: expect.any(String), details: expect.any(Array) });
    },
  );

  it('R-A2: an incident naming a tenant that does not exist is a 400 naming tenantIds, and records nothing', async () => {
    const res = await http('POST', `${services.supportUrl}/internal/v1/incidents`, {
      token: TEST_BOOTSTRAP_TOKEN,
      body: { tenantIds: [tenantId, randomUUID()], summary: 'x', detectedAt: new Date().toISOString() },
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'tenantIds', reason: expect.any(String) }]);
  });

  it('R-T1: another tenant’s id on the support API is 404 with the same body as a missing one', async () => {
    const a = await http('GET', `${services.supportUrl}/internal/v1/tenants/${randomUUID()}`, {
      token: TEST_BOOTSTRAP_TOKEN,
    });
    expect(a.status).toBe(404);
    expect(a.body.error).toBe('not_found');
  });
});
