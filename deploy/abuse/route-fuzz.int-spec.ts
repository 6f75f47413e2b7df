import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  createTestTenant,
  fuzzSettings,
  http,
  registeredRoutes,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
  waitFor,
} from '@missive/testing';
import { campaignsService } from '../../apps/campaigns/src/service';
import { contactsService } from '../../apps/contacts/src/service';
import { privacyService } from '../../apps/privacy/src/service';
import { supportService } from '../../apps/support/src/service';
import { trackingService } from '../../apps/tracking/src/service';
import { clickToken, LINK_TOKEN_KEYS, openToken, signer } from '../../apps/tracking/test/tracking-fixtures';
import { unsubscribeService } from '../../apps/unsubscribe/src/service';

/**
 * Issue 27 (R-X2, R-X6): property-based fuzzing of every route of the public and support listeners. The routes are
 * read from Fastify's router once the six services listen, so a new route is fuzzed without anyone listing it; the
 * DTO field names come from the OpenAPI document. For each route fast-check builds requests (bodies of arbitrary
 * JSON or of the route's DTO shape with hostile values, form, CSV and NDJSON bodies, path parameters that are real
 * ids of this tenant or another, random, unicode, over-long or percent-encoded junk, and query strings) and sends
 * them with `inject` (no sockets). The property: never a 5xx, never a stack trace, a file path or an internal error
 * message in the body; on a JSON API route every 4xx is `{error, message, details[]}`. Recipient routes (`/t/o`,
 * `/t/c`, `/u`) answer a GIF, a redirect or an HTML page, so for them only the first two hold.
 *
 * How many inputs: 10,000 a route by default (the issue's figure), each route also stopping without failure after
 * 120 s, which only `GET /v1/export` (it streams everything the tenant holds: up to a second an input once the
 * fuzzing has filled it) and `GET /internal/v1/audit/verify` (it walks the whole chain) reach: about 25 minutes on 2
 * cores (1,000 a route took 167 s). With CI=true: 200 a route and 1 s, 55 s for the file on a loaded 2-core machine
 * (about 18,000 inputs over 93 routes; the slowest routes stop at their second, export after a single input): CI
 * finds the shallow bugs on every change, a full run the rare ones. FUZZ_RUNS and FUZZ_ROUTE_SECONDS set either.
 * The seed is fixed (FUZZ_SEED, default 27): fast-check prints it with the shrunk request and its path, and
 * `FUZZ_ROUTES='public POST /v1/campaigns$'` replays one route.
 */

const FUZZ = fuzzSettings({ runs: 10_000, ciRuns: 200, budgetSeconds: 120, ciBudgetSeconds: 1, seed: 27 });
const RUNS = FUZZ.runs;
const SEED = FUZZ.seed;

type Listener = 'public' | 'support';

interface Route {
  listener: Listener;
  method: string;
  /** As registered: `/v1/contacts/:id`, `/t/o/*`. */
  path: string;
}

type Method = NonNullable<InjectOptions['method']>;

interface FuzzRequest {
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Routes not fuzzed, each with why; everything else the routers hold is. */
function skipReason(route: Route): string | null {
  if (route.method === 'HEAD') return 'Fastify answers HEAD with the GET handler and drops the body: the GET covers it';
  if (route.path.startsWith('/docs')) return 'Swagger UI assets and the OpenAPI document: static, they read no input';
  if (route.path === '/metrics') return 'Prometheus text of the process: reads no input';
  return null;
}

/** Every route Fastify's router holds on one listener (the shared reader in libs/testing). */
function routesOf(fastify: FastifyInstance, listener: Listener): Route[] {
  return registeredRoutes(fastify).map((route) => ({ listener, ...route }));
}

// ---- what the routes take, from the OpenAPI document --------------------------------------------------------

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>>;
  components: { schemas: Record<string, Schema> };
}

interface RouteInputs {
  body?: Schema;
  query: string[];
}

function inputsOf(doc: OpenApi, route: Route): RouteInputs {
  const openApiPath = route.path.replace(/:(\w+)/g, '{$1}');
  const operation = doc.paths[openApiPath]?.[route.method.toLowerCase()];
  const content = (operation?.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
  return {
    body: content?.['application/json']?.schema,
    query: (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
  };
}

// ---- hostile values -----------------------------------------------------------------------------------------

/** Any UTF-16 code unit, lone surrogates and NUL included, biased to the ones that break things. */
const codeUnit = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uFFFD', '\u202E', '\n', '%', '"', '\\') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);

const junkString = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, minLength: 200, maxLength: 5000 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      '{{ 7 | times: 7 }}',
      '{% for a in (1..100000) %}{% endfor %}',
      "' OR 1=1 --",
      '$where',
      '../../etc/passwd',
      '<script>alert(1)</script>',
      '2026-02-30T25:61:61Z',
      '+275760-09-13T00:00:00.001Z',
      '',
      ' ',
    ),
  },
);

/** A JSON value written as text, so the text can hold what `JSON.stringify` never writes (1e999, deep nesting). */
class RawJson {
  constructor(readonly text: string) {}
}

const hugeNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 64,
    -(2 ** 63),
    1e308,
    -0,
    5e-324,
    new RawJson('1e999'),
    new RawJson('-1e999'),
    new RawJson('123456789012345678901234567890123456789'),
    new RawJson('0.0000000000000000000000000000001'),
  ),
);

const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 5000 }), fc.constantFrom('[]', '{"a":}'))
  .map(([depth, shape]) =>
    shape === '[]'
      ? new RawJson('['.repeat(depth) + ']'.repeat(depth))
      : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  );

const protoKey = fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', 'toJSON', 'valueOf');

/** An object written as its entries, so `__proto__` stays an own key in the JSON text. */
class Entries {
  constructor(readonly entries: [string, unknown][]) {}
}

function objectOf(keys: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>, maxLength = 5): fc.Arbitrary<Entries> {
  return fc.array(fc.tuple(keys, value), { maxLength }).map((entries) => new Entries(entries));
}

const { anyJson } = fc.letrec<{ anyJson: unknown }>((tie) => ({
  anyJson: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hugeNumber,
    junkString,
    fc.array(tie('anyJson'), { maxLength: 5 }),
    objectOf(fc.oneof(junkString, protoKey), tie('anyJson')),
    deepNesting,
  ),
}));

function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Entries)
    return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value) ?? 'null';
}

const dateLike = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15) }).map((d) => d.toISOString()),
  fc.constantFrom('2026-01-10T09:30:00Z', '1990-04-01', 'yesterday', '0000-00-00', '2026-13-45T99:99:99Z', '1e10'),
);

const emailLike = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom('ann@example.com', 'a@b', '@', 'ann@@example.com', 'ann@exämple.com', 'Ann <ann@example.com>'),
  junkString.map((s) => `${s}@example.com`),
);

const ipLike = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('::ffff:1.2.3.4', '999.1.1.1', '1::2::3', 'fe80::1%eth0'),
);

/** A value of a DTO field: near-valid for its type and name most of the time, anything at all otherwise. */
function fieldArb(doc: OpenApi, name: string, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const typed = schemaArb(doc, schema, depth, name);
  return fc.oneof({ weight: 3, arbitrary: typed }, { weight: 1, arbitrary: anyJson });
}

function schemaArb(doc: OpenApi, schema: Schema, depth: number, name = ''): fc.Arbitrary<unknown> {
  if (schema.$ref) return schemaArb(doc, doc.components.schemas[schema.$ref.split('/').pop()!], depth, name);
  if (schema.allOf?.length) return schemaArb(doc, schema.allOf[0], depth, name);
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), junkString);
  if (schema.type === 'object' || schema.properties) {
    const properties = Object.entries(schema.properties ?? {});
    if (properties.length === 0 || depth > 3) return objectOf(fc.oneof(junkString, protoKey), anyJson, 8);
    const known = fc.record(
      Object.fromEntries(properties.map(([key, property]) => [key, fieldArb(doc, key, property, depth + 1)])),
      { requiredKeys: [] },
    );
    const extra = fc.array(fc.tuple(fc.oneof(protoKey, junkString), anyJson), { maxLength: 2 });
    return fc
      .tuple(known, extra)
      .map(([fields, more]) => new Entries([...Object.entries(fields as Record<string, unknown>), ...more]));
  }
  if (schema.type === 'array') {
    const item = schemaArb(doc, schema.items ?? {}, depth + 1);
    return fc.oneof(
      { weight: 5, arbitrary: fc.array(item, { maxLength: 6 }) },
      { weight: 1, arbitrary: fc.tuple(item, fc.integer({ min: 11, max: 20_000 })).map(([v, n]) => Array(n).fill(v)) },
    );
  }
  if (schema.type === 'number' || schema.type === 'integer') return hugeNumber;
  if (schema.type === 'boolean') return fc.oneof(fc.boolean(), fc.constantFrom('true', 1, 0, 'yes'));
  if (/email/i.test(name)) return emailLike;
  if (/At$|date/i.test(name) || schema.format === 'date-time') return dateLike;
  if (/^ip$/i.test(name)) return ipLike;
  if (schema.format === 'uuid') return fc.oneof(fc.uuid(), junkString);
  return junkString;
}

// ---- path parameters and query strings ------------------------------------------------------------------------

/** Percent-encodes every UTF-16 unit as UTF-8 bytes, lone surrogates as the three bytes WTF-8 gives them. */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    if (/^[A-Za-z0-9_.~-]$/.test(char)) {
      out += char;
      continue;
    }
    const code = char.codePointAt(0)!;
    const bytes =
      code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        : [...Buffer.from(char, 'utf8')];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

const percentJunk = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
      fc.constantFrom(
        '%',
        '%Z',
        '%0',
        '%00',
        '%ED%A0%80',
        '%C3',
        '%FF%FE',
        '%2F',
        '%2e%2e',
        '..',
        '%25',
        '+',
        ';',
        'a',
      ),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** One path segment, as it goes in the URL. */
function segmentArb(real: string[]): fc.Arbitrary<string> {
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: junkString.filter((s) => s.length > 0).map(percentEncode) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.~!$&'()*+,;=:@-]{1,60}$/) },
    { weight: 1, arbitrary: fc.string({ minLength: 90, maxLength: 3000 }).map((s) => percentEncode(s) || 'x') },
    { weight: 2, arbitrary: percentJunk },
  ];
  if (real.length > 0) {
    const id = fc.constantFrom(...real);
    arbs.push(
      { weight: 4, arbitrary: id.map(encodeURIComponent) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(id, fc.constantFrom('upper', 'chop', 'append', 'double'), percentJunk)
          .map(([v, how, junk]) =>
            how === 'upper'
              ? v.toUpperCase()
              : how === 'chop'
                ? v.slice(0, -1)
                : how === 'append'
                  ? `${encodeURIComponent(v)}${junk}`
                  : `${encodeURIComponent(v)}${encodeURIComponent(v)}`,
          ),
      },
    );
  }
  return fc.oneof(...arbs);
}

function queryArb(names: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...names, 'limit', 'cursor', 'status', 'email', 'tenantId') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', '__proto__[x]', 'constructor[prototype][x]', 'a[b][c]', 'limit[]'),
    },
    { weight: 1, arbitrary: junkString.map(percentEncode) },
  );
  const value = fc.oneof(
    hugeNumber.map((n) => (n instanceof RawJson ? n.text : String(n))),
    junkString.map(percentEncode),
    emailLike.map(percentEncode),
    percentJunk,
    fc.constantFrom('', 'active', 'pending', '0', '-1', '1000000', 'true', 'null'),
  );
  return fc
    .array(fc.tuple(key, value), { maxLength: 5 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
}

// ---- bodies -------------------------------------------------------------------------------------------------

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/csv',
  'application/x-ndjson',
  'text/plain',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'x/y; ;;',
];

/** Fields of the recipient forms (`/u/{token}`, `/u/{token}/preferences`, `/c/{token}`), which the OpenAPI document leaves out. */
const FORM_FIELDS = ['List-Unsubscribe', 'confirm', 'everything', 'leave'];
const FORM_VALUES = ['One-Click', 'yes', 'news', 'no'];
/** Import columns (contact fields, nested ones dotted: API.md). */
const CSV_COLUMNS = [
  'email',
  'firstName',
  'lastName',
  'lawfulBasis',
  'consent.givenAt',
  'consent.source',
  'lists',
  'tags',
  'attributes.city',
];

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvBody = fc
  .tuple(
    fc.shuffledSubarray([...CSV_COLUMNS, '__proto__', ''], { minLength: 0 }),
    fc.array(
      fc.array(fc.oneof(emailLike, junkString, fc.constantFrom('contract', 'consent', 'a;b')), { maxLength: 10 }),
      {
        maxLength: 8,
      },
    ),
    fc.constantFrom('\n', '\r\n', '\r'),
  )
  .map(([header, rows, eol]) => [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join(eol));

interface Body {
  contentType?: string;
  payload?: string | Buffer;
}

function bodyArb(doc: OpenApi, inputs: RouteInputs): fc.Arbitrary<Body> {
  const shaped = inputs.body ? schemaArb(doc, inputs.body, 0) : objectOf(fc.oneof(junkString, protoKey), anyJson, 8);
  const json = (value: fc.Arbitrary<unknown>) =>
    value.map((v) => ({ contentType: 'application/json', payload: toJson(v) }));
  const form = fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...FORM_FIELDS, '__proto__'), junkString),
        fc.oneof(fc.constantFrom(...FORM_VALUES), junkString),
      ),
      { maxLength: 5 },
    )
    .map((pairs) => ({
      contentType: 'application/x-www-form-urlencoded',
      payload: pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'),
    }));
  return fc.oneof(
    { weight: 6, arbitrary: json(shaped) },
    { weight: 3, arbitrary: json(anyJson) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 2, arbitrary: form },
    {
      weight: 2,
      arbitrary: fc
        .tuple(csvBody, fc.constantFrom('text/csv', 'application/x-ndjson'))
        .map(([payload, contentType]) => ({ contentType, payload })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(shaped.map(toJson), { maxLength: 5 })
        .map((lines) => ({ contentType: 'application/x-ndjson', payload: lines.join('\n') })),
    },
    {
      // Bytes that are not UTF-8 inside an otherwise well-formed body.
      weight: 1,
      arbitrary: fc
        .tuple(shaped.map(toJson), fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat())
        .map(([text, bytes, at]) => {
          const raw = Buffer.from(text, 'utf8');
          const cut = at % (raw.length + 1);
          return {
            contentType: 'application/json',
            payload: Buffer.concat([raw.subarray(0, cut), Buffer.from(bytes), raw.subarray(cut)]),
          };
        }),
    },
    {
      // Text under any content type: truncated JSON, junk, a body the type does not describe.
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.oneof(
            shaped.map((v) => toJson(v).slice(0, -1)),
            junkString,
          ),
          fc.constantFrom(...CONTENT_TYPES),
        )
        .map(([payload, contentType]) => ({ contentType, payload })),
    },
  );
}

// ---- the property ---------------------------------------------------------------------------------------------

/**
 * What an error body must never show: stack frames and source paths. Not checked on 2xx bodies, which may hold what
 * earlier inputs stored (a contact named `a.js:1`).
 */
const STACK_LEAKS: RegExp[] = [
  /\n\s+at \S/,
  /\\n\s+at \S/,
  /\bat [\w$.<>]+ \(/,
  /[\w./-]+\.(?:ts|js|mjs|cjs):\d+(?::\d+)?/,
  /node_modules/,
  /\/src\//,
];

/** What no body may show: runtime, driver and socket error messages (random inputs do not spell them). */
const MESSAGE_LEAKS: RegExp[] = [
  /\b(?:TypeError|ReferenceError|RangeError|QueryFailedError|EntityNotFoundError|AggregateError)\b/,
  /Cannot read propert|is not a function|is not defined|is not iterable|Maximum call stack/,
  /violates (?:not-null|foreign key|unique|check) constraint|invalid input syntax|duplicate key value|relation "|column "/,
  /ECONNREFUSED|ETIMEDOUT|Connection terminated|KafkaJS|ReplyError/,
];

function problemsOf(route: Route, request: FuzzRequest, response: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  if (response.statusCode >= 500) problems.push(`answered ${response.statusCode}`);
  const sent = `${request.url} ${request.payload?.toString() ?? ''}`;
  for (const leak of response.statusCode >= 400 ? [...STACK_LEAKS, ...MESSAGE_LEAKS] : MESSAGE_LEAKS) {
    // What the request itself held may come back as the name of a bad field: that is an echo, not a leak.
    const found = leak.exec(response.body);
    if (found && !leak.test(sent)) {
      const around = response.body.slice(Math.max(0, found.index - 200), found.index + 200);
      problems.push(`the body matches ${leak} at …${around}…`);
    }
  }
  if (isJsonApi(route) && response.statusCode >= 400 && response.statusCode < 500) {
    const body = parseJson(response.body) as { error?: unknown; message?: unknown; details?: unknown } | undefined;
    const details = body?.details;
    const shaped =
      typeof body?.error === 'string' &&
      typeof body.message === 'string' &&
      Array.isArray(details) &&
      details.every((d: { reason?: unknown } | null) => typeof d?.reason === 'string');
    if (!shaped) problems.push('a 4xx body that is not {error, message, details[]} (R-X2)');
  }
  return problems;
}

/** fast-check's report without the stack, each line cut short: a shrunk body can still be megabytes. */
function briefly(report: string): string {
  return report
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .map((line) => (line.length > 1500 ? `${line.slice(0, 1500)}… (${line.length} characters)` : line))
    .join('\n');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Recipient routes answer a GIF, a redirect or an HTML page (API.md), to people rather than API clients. */
function isRecipientRoute(route: Route): boolean {
  return /^\/(?:t\/[oc]|u|c)\//.test(route.path);
}

/**
 * Every other route is a JSON API with R-X2's error shape, except the queue board (bull-board, support listener):
 * its UI reads bull-board's own `{error: {key}}` answers, so there the property is no 5xx and nothing leaked.
 */
function isJsonApi(route: Route): boolean {
  return !isRecipientRoute(route) && !route.path.startsWith('/internal/queues');
}

// ---- the test -------------------------------------------------------------------------------------------------

interface Seeds {
  /** Real values by path-parameter name; for recipient wildcards, under `*`. */
  public: Record<string, string[]>;
  support: Record<string, string[]>;
}

describe('R-X2, R-X6: every route under fuzzing answers 2xx or 4xx, never a 5xx or a stack trace (issue 27)', () => {
  let services: TestServices;
  let dataDir: string;
  let tenant: TestTenant;
  const seeds: Seeds = { public: {}, support: {} };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'missive-route-fuzz-'));
    services = await startTestServices(
      [supportService, contactsService, campaignsService, trackingService, unsubscribeService, privacyService],
      {
        SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
        LINK_TOKEN_KEYS,
        DATA_DIR: dataDir,
        // Any free port: other test files may hold the default at the same time.
        INBOUND_SMTP_PORT: '0',
        // The limiter would answer 429 before any handler after the first 100 inputs a second: the fuzz is for the
        // handlers (the limiter has its own tests and the abuse suite).
        TENANT_RATE_LIMIT_PER_SECOND: '1000000000',
      },
    );
    tenant = await createTestTenant(services, { region: 'NA', name: 'fuzzed' });
    await projectionLive(services, tenant);
    const other = await createTestTenant(services, { region: 'NA', name: 'other' });
    const victim = await createTestTenant(services, { region: 'NA', name: 'support victim' });
    const mine = await seedTenant(services, tenant);
    const theirs = await seedTenant(services, other);
    const staff = await http('POST', `${services.supportUrl}/internal/v1/staff-tokens`, {
      token: TEST_BOOTSTRAP_TOKEN,
      // The bootstrap admin is EEA staff: it issues EEA staff tokens only (R-A1).
      body: { name: 'fuzzed staff', role: 'support', region: 'EEA' },
    });
    const ids = (key: keyof typeof mine) => [...mine[key], ...theirs[key]];
    const claims = {
      tenantId: tenant.tenant.id,
      region: 'NA' as const,
      campaignId: mine.campaign[0],
      contactId: mine.contact[0],
    };
    seeds.public = {
      id: [...ids('contact'), ...ids('campaign'), ...ids('import'), ...ids('privacyRequest'), ...ids('notice')],
      email: ids('email'),
      token: [
        signer.mint({ kind: 'unsubscribe', ...claims }),
        signer.mint({ kind: 'confirm', ...claims, campaignId: null }),
      ],
      '*': [
        openToken(tenant.tenant.id, claims.campaignId, claims.contactId),
        clickToken(tenant.tenant.id, claims.campaignId, claims.contactId, 0),
      ],
    };
    seeds.support = {
      id: [victim.tenant.id, other.tenant.id, staff.body.id as string],
      keyId: [victim.apiKeyId, other.apiKeyId],
    };
  }, 180_000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `every registered route, ${RUNS} inputs each (seed ${SEED})`,
    async () => {
      const listeners: [Listener, FastifyInstance][] = [
        ['public', services.publicApp!.getHttpAdapter().getInstance() as FastifyInstance],
        ['support', services.supportApp!.getHttpAdapter().getInstance() as FastifyInstance],
      ];
      const failures: string[] = [];
      const figures: string[] = [];
      for (const [listener, fastify] of listeners) {
        const doc = (await fastify.inject({ method: 'GET', url: '/docs-json' })).json<OpenApi>();
        const routes = routesOf(fastify, listener);
        // The tree was read right: Fastify knows every route read from it, and it holds every documented route.
        for (const route of routes)
          expect([route, fastify.hasRoute({ method: route.method, url: route.path })]).toEqual([route, true]);
        for (const [path, operations] of Object.entries(doc.paths)) {
          for (const method of Object.keys(operations)) {
            expect(routes).toContainEqual({
              listener,
              method: method.toUpperCase(),
              path: path.replace(/\{(\w+)\}/g, ':$1'),
            });
          }
        }
        for (const route of routes) {
          const skipped = skipReason(route);
          const name = `${listener} ${route.method} ${route.path}`;
          if (FUZZ.only && !FUZZ.only.test(name)) continue;
          if (skipped) {
            figures.push(`${name}: skipped (${skipped})`);
            continue;
          }
          const statuses = new Map<number, number>();
          const started = Date.now();
          const requests = requestArb(
            doc,
            route,
            listener === 'public' ? seeds.public : seeds.support,
            listener === 'public' ? tenant.apiKey : TEST_BOOTSTRAP_TOKEN,
          );
          const property = fc.asyncProperty(requests, async (request) => {
            const response = await fastify.inject(request);
            statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
            const problems = problemsOf(route, request, response);
            if (problems.length)
              throw new Error(`${problems.join('; ')}: ${response.statusCode} ${response.body.slice(0, 300)}`);
          });
          try {
            await fc.assert(property, {
              numRuns: RUNS,
              seed: SEED,
              interruptAfterTimeLimit: FUZZ.budgetMs,
              markInterruptAsFailure: false,
            });
          } catch (error) {
            // fast-check counts a property interrupted before its first input as failed: a route slower than the
            // time budget (the export) still gets one input, without the budget.
            if (statuses.size === 0 && /interrupted after 0 tests/.test((error as Error).message)) {
              try {
                await fc.assert(property, { numRuns: 1, seed: SEED });
              } catch (retried) {
                failures.push(`${name}\n${briefly((retried as Error).message)}`);
              }
            } else {
              failures.push(`${name}\n${briefly((error as Error).message)}`);
            }
          }
          const histogram = [...statuses]
            .sort(([a], [b]) => a - b)
            .map(([s, n]) => `${s}×${n}`)
            .join(' ');
          const inputs = [...statuses.values()].reduce((a, b) => a + b, 0);
          const cut = inputs < RUNS ? ` (time budget reached after ${inputs})` : '';
          figures.push(`${name}: ${inputs} inputs in ${Date.now() - started} ms${cut}, ${histogram}`);
        }
      }
      console.log(`route fuzz, ${RUNS} inputs a route, seed ${SEED}:\n${figures.join('\n')}`);
      expect(failures).toEqual([]);
    },
    // Every route within its budget, plus shrinking a failure.
    60_000 + 100 * (FUZZ.budgetMs + 5_000),
  );
});

function requestArb(
  doc: OpenApi,
  route: Route,
  seeds: Record<string, string[]>,
  token: string,
): fc.Arbitrary<FuzzRequest> {
  const inputs = inputsOf(doc, route);
  const segments = route.path.split('/').map((segment) => {
    if (segment === '*') {
      // A wildcard takes the rest of the path, slashes included.
      return fc.array(segmentArb(seeds['*'] ?? []), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
    }
    if (segment.startsWith(':')) return segmentArb(seeds[segment.slice(1)] ?? []);
    return fc.constant(segment);
  });
  const auth = fc.oneof(
    { weight: 9, arbitrary: fc.constant(`Bearer ${token}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'Bearer ', `Bearer mk_${randomUUID()}`, 'Basic Og==', `Bearer ${token}x`),
    },
  );
  const takesBody = !['GET', 'HEAD'].includes(route.method);
  return fc
    .record({
      path: fc.tuple(...segments).map((parts) => parts.join('/')),
      query: queryArb(inputs.query),
      body: takesBody ? bodyArb(doc, inputs) : fc.constant<Body>({}),
      authorization: isRecipientRoute(route) ? fc.constant('') : auth,
      justification:
        route.listener === 'support'
          ? fc.option(fc.stringMatching(/^[ -~]{1,80}$/), { nil: undefined })
          : fc.constant(undefined),
      language: fc.option(fc.constantFrom('fr', 'de-DE,de;q=0.9', '*', 'xx;q=abc', ','), { nil: undefined }),
    })
    .map(({ path, query, body, authorization, justification, language }) => {
      const headers: Record<string, string> = {};
      if (authorization) headers.authorization = authorization;
      if (justification) headers['x-justification'] = justification;
      if (language) headers['accept-language'] = language;
      if (body.contentType) headers['content-type'] = body.contentType;
      return {
        method: route.method as Method,
        url: `${path}${query}`,
        headers,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
      };
    });
}

/**
 * Waits until the campaigns service's consumers read the contacts' events: its groups start at the topics' ends
 * once they have joined, so an event published before that is never theirs. A new probe contact a try.
 */
async function projectionLive(services: TestServices, t: TestTenant): Promise<void> {
  let probe = 0;
  await waitFor(
    async () => {
      const list = `probe-${probe++}`;
      await http('POST', `${services.publicUrl}/v1/contacts`, {
        token: t.apiKey,
        body: { email: `${list}@example.com`, lawfulBasis: 'contract', lists: [list] },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const campaign = await http('POST', `${services.publicUrl}/v1/campaigns`, {
        token: t.apiKey,
        body: {
          name: 'probe',
          subject: 's',
          fromEmail: 'p@example.com',
          html: '<p>p</p>',
          audience: { lists: [list] },
        },
      });
      return campaign.status === 201;
    },
    { what: "the campaigns service's contact projection", timeoutMs: 60_000 },
  );
}

/** One of each resource the routes take by id, so path parameters can be real. */
async function seedTenant(services: TestServices, t: TestTenant) {
  const api = (
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; headers?: Record<string, string> },
  ) => http(method, `${services.publicUrl}${path}`, { token: t.apiKey, ...options });
  const email = `fuzz-${t.tenant.id}@example.com`;
  const contact = await api('POST', '/v1/contacts', {
    body: { email, firstName: 'Ada', lawfulBasis: 'contract', lists: ['news'] },
  });
  // The campaigns service learns of the list from the contact's event.
  const createCampaign = () =>
    api('POST', '/v1/campaigns', {
      body: {
        name: 'fuzzed',
        subject: 'Hi {{ firstName }}',
        fromEmail: 'news@example.com',
        html: '<p>Hi {{ firstName }} <a href="https://example.com/a">a</a></p>',
        audience: { lists: ['news'] },
      },
    });
  let campaign = await createCampaign();
  if (campaign.status !== 201)
    await waitFor(async () => (campaign = await createCampaign()).status === 201, {
      what: 'the list news in campaigns',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  const imported = await api('POST', '/v1/imports', {
    raw: 'email,lawfulBasis\nimported@example.com,contract\n',
    headers: { 'content-type': 'text/csv' },
  });
  const suppressed = await api('POST', '/v1/suppressions', {
    body: { email: `suppressed-${t.tenant.id}@example.com` },
  });
  const request = await api('POST', '/v1/privacy-requests', { body: { type: 'access', email } });
  await http('POST', `${services.supportUrl}/internal/v1/incidents`, {
    token: TEST_BOOTSTRAP_TOKEN,
    headers: { 'x-justification': 'seeding the route fuzz' }, // an NA tenant, the EEA bootstrap admin (R-A1)
    body: { tenantIds: [t.tenant.id], summary: 'fuzzed incident', detectedAt: new Date().toISOString() },
  });
  const notices = await api('GET', '/v1/notices', {});
  for (const [what, res, status] of [
    ['contact', contact, 201],
    ['campaign', campaign, 201],
    ['import', imported, 202],
    ['suppression', suppressed, 201],
    ['privacy request', request, 202],
  ] as const) {
    if (res.status !== status) throw new Error(`seeding a ${what}: ${res.status} ${res.text}`);
  }
  return {
    contact: [contact.body.id as string],
    campaign: [campaign.body.id as string],
    import: [imported.body.id as string],
    privacyRequest: [request.body.id as string],
    notice: (notices.body.items as { id: string }[]).map((n) => n.id),
    email: [email, `suppressed-${t.tenant.id}@example.com`],
  };
}
