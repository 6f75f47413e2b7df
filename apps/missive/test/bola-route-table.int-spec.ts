import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  registeredRoutes,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type HttpResult,
  type RegisteredRoute,
  type ScratchDatabases,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { CHROME, clickToken, LINK_TOKEN_KEYS, openToken, signer } from '../../tracking/test/tracking-fixtures';
import { ALL_SERVICES } from '../src/all-services';

/**
 * Issue 22 item 3 (R-T1): the BOLA sweep of the single-node host's public listener, built from the routes Fastify
 * holds. Tenant A gets one record of every kind a route names (contact, import, campaign, suppression, privacy
 * request, notice); then every registered route whose path has a parameter is called as tenant B with A's id
 * substituted, and must answer what the table below says (404 for the API: a foreign id is an id that does not
 * exist, body for body), and A's records must be as they were, both through A's own GETs and row for row in every
 * table of the regional database that carries `tenant_id`. A route with a parameter that the table does not know
 * fails the test, so a new route cannot be left out of the sweep. Parameterless GET routes are swept too: none may
 * show A's ids or addresses to B.
 */

/** Tenant A's records, by what the routes name them with. */
interface Ids {
  contactId: string;
  campaignId: string;
  importId: string;
  privacyRequestId: string;
  noticeId: string;
  suppressedEmail: string;
  sendingDomain: string;
  webhookId: string;
}

interface Call {
  method: string;
  path: string;
  /** The API key sent, if any: the recipient routes are authorised by the signed token in their path instead. */
  apiKey?: string;
  body?: unknown;
  form?: string;
}

interface Case {
  /** What B gets for A's record (and for one that does not exist, body for body). */
  status: number;
  why: string;
  /** The request `caller` makes about `ids`. */
  call(ids: Ids, caller: TestTenant): Call;
  /** What A gets for its own record, for the routes that change nothing (the control, and part of the snapshot). */
  own?: number;
}

interface Exempt {
  exempt: string;
}

const API_404 = 'a foreign id answers as an id that does not exist (R-T1, API.md)';

function api(method: string, path: (ids: Ids) => string, body?: unknown, own?: number): Case {
  return {
    status: 404,
    why: API_404,
    call: (ids, caller) => ({ method, path: path(ids), apiKey: caller.apiKey, body }),
    ...(own ? { own } : {}),
  };
}

/** A validly signed link token of the caller's tenant that names A's campaign and contact. */
function recipientToken(kind: 'unsubscribe' | 'open' | 'click' | 'confirm', ids: Ids, caller: TestTenant): string {
  const tenantId = caller.tenant.id;
  if (kind === 'open') return openToken(tenantId, ids.campaignId, ids.contactId);
  if (kind === 'click') return clickToken(tenantId, ids.campaignId, ids.contactId, 0);
  if (kind === 'confirm')
    return signer.mint({ kind, tenantId, region: 'NA', campaignId: null, contactId: ids.contactId });
  return signer.mint({ kind, tenantId, region: 'NA', campaignId: ids.campaignId, contactId: ids.contactId });
}

/**
 * R-U2: a validly signed unsubscribe token is always honoured, also when its tenant has no such contact (the
 * projection may be behind). B's token naming A's contact is such a token of B's: the page shows no address, and
 * an opt-out is stored under B, waiting for a contact of B's that never comes. Same answer as a contact that does
 * not exist; A's contact is not opted out and no list of A's is left (the snapshot).
 */
const UNSUBSCRIBE_200 = "recipient page: B's signed token naming A's contact is honoured as B's unknown contact (R-U2)";

/**
 * Every public route with a path parameter, keyed `METHOD path` as Fastify registered it. HEAD routes are derived
 * from their GET (Fastify answers HEAD with the GET handler). Adding a route to the host without a row here fails
 * the test.
 */
const ROUTE_TABLE: Record<string, Case | Exempt> = {
  'GET /v1/contacts/:id': api('GET', (i) => `/v1/contacts/${i.contactId}`, undefined, 200),
  'PATCH /v1/contacts/:id': api('PATCH', (i) => `/v1/contacts/${i.contactId}`, { firstName: 'Mallory' }),
  'DELETE /v1/contacts/:id': api('DELETE', (i) => `/v1/contacts/${i.contactId}`),
  'POST /v1/contacts/:id/resubscribe': api('POST', (i) => `/v1/contacts/${i.contactId}/resubscribe`, {
    consent: { givenAt: '2026-01-10T09:30:00Z', source: 'bola sweep' },
    lists: ['mallory'],
  }),
  'GET /v1/imports/:id': api('GET', (i) => `/v1/imports/${i.importId}`, undefined, 200),
  'GET /v1/campaigns/:id': api('GET', (i) => `/v1/campaigns/${i.campaignId}`, undefined, 200),
  'GET /v1/campaigns/:id/report': api('GET', (i) => `/v1/campaigns/${i.campaignId}/report`, undefined, 200),
  'POST /v1/campaigns/:id/preview': {
    status: 404,
    why: API_404,
    call: (i, c) => ({
      method: 'POST',
      path: `/v1/campaigns/${i.campaignId}/preview`,
      apiKey: c.apiKey,
      body: { contactId: i.contactId },
    }),
  },
  'POST /v1/campaigns/:id/test': api('POST', (i) => `/v1/campaigns/${i.campaignId}/test`, {
    emails: ['bola-test@example.com'],
  }),
  'POST /v1/campaigns/:id/send': api('POST', (i) => `/v1/campaigns/${i.campaignId}/send`),
  'POST /v1/campaigns/:id/pause': api('POST', (i) => `/v1/campaigns/${i.campaignId}/pause`),
  'POST /v1/campaigns/:id/resume': api('POST', (i) => `/v1/campaigns/${i.campaignId}/resume`),
  'POST /v1/campaigns/:id/cancel': api('POST', (i) => `/v1/campaigns/${i.campaignId}/cancel`),
  'DELETE /v1/suppressions/:email': api('DELETE', (i) => `/v1/suppressions/${encodeURIComponent(i.suppressedEmail)}`),
  'GET /v1/privacy-requests/:id': api('GET', (i) => `/v1/privacy-requests/${i.privacyRequestId}`, undefined, 200),
  'POST /v1/privacy-requests/:id/complete': api('POST', (i) => `/v1/privacy-requests/${i.privacyRequestId}/complete`),
  'POST /v1/privacy-requests/:id/reject': api('POST', (i) => `/v1/privacy-requests/${i.privacyRequestId}/reject`, {
    reason: 'bola sweep',
  }),
  'GET /v1/notices/:id': api('GET', (i) => `/v1/notices/${i.noticeId}`, undefined, 200),
  'POST /v1/sending-domains/:domain/verify': api('POST', (i) => `/v1/sending-domains/${i.sendingDomain}/verify`),
  'DELETE /v1/sending-domains/:domain': api('DELETE', (i) => `/v1/sending-domains/${i.sendingDomain}`),
  'DELETE /v1/webhooks/:id': api('DELETE', (i) => `/v1/webhooks/${i.webhookId}`),
  'GET /u/:token': {
    status: 200,
    why: UNSUBSCRIBE_200,
    call: (i, c) => ({ method: 'GET', path: `/u/${recipientToken('unsubscribe', i, c)}` }),
    own: 200,
  },
  'POST /u/:token': {
    status: 200,
    why: `${UNSUBSCRIBE_200}; nothing is opted out`,
    call: (i, c) => ({
      method: 'POST',
      path: `/u/${recipientToken('unsubscribe', i, c)}`,
      form: 'List-Unsubscribe=One-Click',
    }),
  },
  'GET /u/:token/preferences': {
    status: 200,
    why: UNSUBSCRIBE_200,
    call: (i, c) => ({ method: 'GET', path: `/u/${recipientToken('unsubscribe', i, c)}/preferences` }),
    own: 200,
  },
  'POST /u/:token/preferences': {
    status: 200,
    why: `${UNSUBSCRIBE_200}; no list is left`,
    call: (i, c) => ({
      method: 'POST',
      path: `/u/${recipientToken('unsubscribe', i, c)}/preferences`,
      form: 'everything=yes',
    }),
  },
  'GET /c/:token': {
    status: 200,
    why: "double opt-in page (R-C8): B's signed token naming A's contact shows B's page and reads nothing of A's",
    call: (i, c) => ({ method: 'GET', path: `/c/${recipientToken('confirm', i, c)}` }),
    own: 200,
  },
  'POST /c/:token': {
    status: 200,
    why: "double opt-in (R-C8): B's confirmation is stored under B, whose contacts service has no such contact; A's contact is not confirmed",
    call: (i, c) => ({ method: 'POST', path: `/c/${recipientToken('confirm', i, c)}`, form: 'confirm=yes' }),
  },
  'GET /t/o/*': {
    status: 200,
    why: "the open pixel is the same GIF for any token (R-K2); the check is that nothing is recorded for A's campaign",
    call: (i, c) => ({ method: 'GET', path: `/t/o/${recipientToken('open', i, c)}` }),
    // No control: A's own open would be recorded, which is a change to A's data.
  },
  'GET /t/c/*': {
    status: 404,
    why: "a click token of B naming A's campaign finds no link of B's, like a bad token (R-K3); A's URL never shows",
    call: (i, c) => ({ method: 'GET', path: `/t/c/${recipientToken('click', i, c)}` }),
    // A's own click is recorded too, but the control proves the link exists: it is made before the snapshot.
  },
  'GET /docs/*': { exempt: 'Swagger UI static assets: no tenant data, no API key read' },
};

function caseFor(key: string): Case | Exempt | undefined {
  if (key.startsWith('HEAD ')) {
    const get = ROUTE_TABLE[`GET ${key.slice(5)}`];
    if (!get || 'exempt' in get) return get;
    return {
      ...get,
      why: `HEAD runs the GET handler: ${get.why}`,
      call: (ids, caller) => ({ ...get.call(ids, caller), method: 'HEAD' }),
    };
  }
  return ROUTE_TABLE[key];
}

/**
 * The two answers with the path segments in which the requests differ (the ids and tokens) blotted out: a page
 * may echo its own token (a form's action), which is no sign of the record behind it.
 */
function withoutParameters(pathA: string, textA: string, pathB: string, textB: string): [string, string] {
  const [a, b] = [pathA.split('/'), pathB.split('/')];
  const blot = (text: string, segments: string[]) =>
    segments.reduce(
      (t, segment, i) =>
        segment === (segments === a ? b : a)[i]
          ? t
          : t.split(segment).join('<param>').split(decodeURIComponent(segment)).join('<param>'),
      text,
    );
  return [blot(textA, a), blot(textB, b)];
}

const OWNED_URL = 'https://example.com/owned-by-a';
const OWNED_FIRST_NAME = 'Adelheid';

/** Parameterless routes that read no tenant data, left out of the list sweep. */
const NOT_TENANT_DATA = /^\/(?:health|ready|metrics|docs)/;

describe('R-T1: every public route with an id, called by another tenant, answers 404 and changes nothing', () => {
  // Databases of its own: a relay of another test file may hold a shared outbox's lock while it fails on purpose,
  // which would hold back the events this sweep waits for (the notice, the projections).
  let scratch: ScratchDatabases;
  let regional: { url: string };
  let services: TestServices;
  let dataDir: string;
  let a: TestTenant;
  let b: TestTenant;
  let ids: Ids;
  let aEmail: string;
  let routes: RegisteredRoute[];

  const send = async (call: Call): Promise<HttpResult> =>
    http(call.method, `${services.publicUrl}${call.path}`, {
      token: call.apiKey,
      ...(call.body !== undefined ? { body: call.body } : {}),
      ...(call.form !== undefined
        ? { raw: call.form, headers: { 'content-type': 'application/x-www-form-urlencoded' } }
        : {}),
    });
  const asA = (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: a.apiKey, body });
  const staff = (path: string, body: unknown) =>
    http('POST', `${services.supportUrl}/internal/v1${path}`, {
      token: TEST_BOOTSTRAP_TOKEN,
      // The bootstrap staff token is EEA's; these tenants are NA (R-T4).
      headers: { 'x-justification': 'BOLA sweep fixture' },
      body,
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'missive-bola-'));
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    regional = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    services = await startTestServices(ALL_SERVICES, {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      LINK_TOKEN_KEYS,
      DATA_DIR: dataDir,
      INBOUND_SMTP_PORT: '0',
    });
    routes = registeredRoutes(services.publicApp!.getHttpAdapter().getInstance() as FastifyInstance);
    [a, b] = await Promise.all([
      createTestTenant(services, { region: 'NA', name: 'BOLA owner' }),
      createTestTenant(services, { region: 'NA', name: 'BOLA caller' }),
    ]);
    ids = await seedOwner();
    // A's own click proves the link exists, so B's 404 below is about the tenant and not a missing link.
    await waitFor(
      async () => (await send({ method: 'GET', path: `/t/c/${recipientToken('click', ids, a)}` })).status === 302,
      { what: "A's campaign links at the link host", timeoutMs: 30_000, intervalMs: 200 },
    );
  }, 180_000);

  afterAll(async () => {
    await services?.stop();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** One of each record a public route names, for tenant A, once every service has taken it in. */
  async function seedOwner(): Promise<Ids> {
    aEmail = `bola-${a.tenant.id}@example.com`;
    const contact = await asA('POST', '/v1/contacts', {
      email: aEmail,
      firstName: OWNED_FIRST_NAME,
      lawfulBasis: 'contract',
      lists: ['news'],
    });
    expect(contact.status).toBe(201);
    // The campaigns service learns of the list from the contact's event.
    const campaignBody = {
      name: 'owned',
      subject: 'Hi {{ firstName }}',
      fromEmail: 'news@example.com',
      html: `<p>Hi {{ firstName }} <a href="${OWNED_URL}">owned</a></p>`,
      audience: { lists: ['news'] },
    };
    const campaign = await waitFor(
      async () => {
        const res = await asA('POST', '/v1/campaigns', campaignBody);
        return res.status === 201 ? res : null;
      },
      { what: "the list news in A's campaigns", timeoutMs: 60_000, intervalMs: 250 },
    );
    const imported = await http('POST', `${services.publicUrl}/v1/imports`, {
      token: a.apiKey,
      raw: `email,lawfulBasis\nimported-${a.tenant.id}@example.com,contract\n`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(202);
    const suppressedEmail = `suppressed-${a.tenant.id}@example.com`;
    expect((await asA('POST', '/v1/suppressions', { email: suppressedEmail })).status).toBe(201);
    const sendingDomain = `bola-${a.tenant.id}.example`;
    expect((await asA('POST', '/v1/sending-domains', { domain: sendingDomain })).status).toBe(201);
    // R-X7: an endpoint for an event the sweep never causes (no campaign of A's finishes).
    const webhook = await asA('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/bola',
      events: ['campaign.finished'],
    });
    expect(webhook.status).toBe(201);
    const referral = await staff(`/tenants/${a.tenant.id}/privacy-referrals`, {
      type: 'erasure',
      receivedAt: new Date().toISOString(),
      summary: 'BOLA sweep referral',
    });
    expect(referral.status).toBe(201);
    const summary = `BOLA incident ${randomUUID()}`;
    const incident = await staff('/incidents', {
      tenantIds: [a.tenant.id],
      summary,
      detectedAt: new Date().toISOString(),
    });
    expect(incident.status).toBe(201);

    const importId = imported.body.id as string;
    const privacyRequestId = referral.body.id as string;
    await waitFor(async () => ['done', 'failed'].includes((await asA('GET', `/v1/imports/${importId}`)).body.status), {
      what: "A's import to finish",
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await asA('GET', `/v1/privacy-requests/${privacyRequestId}`)).status === 200, {
      what: "A's referral to be recorded",
      timeoutMs: 30_000,
    });
    const notice = await waitFor(
      async () =>
        ((await asA('GET', '/v1/notices')).body.items as { id: string; summary: string }[]).find(
          (n) => n.summary === summary,
        ),
      { what: "A's incident notice", timeoutMs: 30_000 },
    );
    return {
      contactId: contact.body.id,
      campaignId: campaign.body.id,
      importId,
      privacyRequestId,
      noticeId: notice.id,
      suppressedEmail,
      sendingDomain,
      webhookId: webhook.body.id as string,
    };
  }

  /** Values of A's that no answer to B may hold: its ids, addresses, name, link and the contact's name. */
  function ownersData(): string[] {
    return [
      a.tenant.id,
      a.tenant.name,
      ...Object.values(ids),
      aEmail,
      `imported-${a.tenant.id}@example.com`,
      OWNED_URL,
      OWNED_FIRST_NAME,
    ];
  }

  /** What A's API shows of its records (every read-only route of the table, and the lists), and its rows. */
  async function snapshotOfA(): Promise<Record<string, string>> {
    const snapshot: Record<string, string> = {};
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      const row = caseFor(key);
      if (method !== 'GET' || !row || 'exempt' in row || row.own === undefined) continue;
      const res = await send(row.call(ids, a));
      snapshot[`api ${key}`] = `${res.status} ${res.text}`;
    }
    for (const path of [
      '/v1/suppressions',
      '/v1/privacy-requests',
      '/v1/notices',
      '/v1/sending-domains',
      '/v1/webhooks',
      `/v1/contacts?email=${aEmail}`,
    ]) {
      const res = await asA('GET', path);
      snapshot[`api GET ${path}`] = `${res.status} ${res.text}`;
    }
    const tables = await adminQuery<{ table_name: string }>(
      regional,
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`,
    );
    for (const { table_name: table } of tables) {
      const [{ rows }] = await adminQuery<{ rows: string }>(
        regional,
        `SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS rows
           FROM "${table}" t WHERE tenant_id = $1`,
        [a.tenant.id],
      );
      snapshot[`rows ${table}`] = rows;
    }
    return snapshot;
  }

  /** A's snapshot once two in a row, a second apart, agree: its own click and import settle asynchronously. */
  async function settledSnapshotOfA(): Promise<Record<string, string>> {
    let last = await snapshotOfA();
    return waitFor(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const next = await snapshotOfA();
        const same = JSON.stringify(next) === JSON.stringify(last);
        last = next;
        return same ? next : null;
      },
      { what: "A's records to settle", timeoutMs: 30_000, intervalMs: 0 },
    );
  }

  it('R-T1: the route table covers exactly the registered routes that take a parameter', () => {
    const withParameter = routes
      .filter((r) => r.path.includes(':') || r.path.includes('*'))
      .map((r) => `${r.method} ${r.path}`);
    const unknown = withParameter.filter((key) => !caseFor(key));
    const stale = Object.keys(ROUTE_TABLE).filter((key) => !withParameter.includes(key));
    expect({ unknown, stale }).toEqual({ unknown: [], stale: [] });
    // The reading of the router is right: every route it lists is one Fastify knows.
    const fastify = services.publicApp!.getHttpAdapter().getInstance() as FastifyInstance;
    for (const r of routes) expect([r, fastify.hasRoute({ method: r.method, url: r.path })]).toEqual([r, true]);
  });

  it("R-T1: no parameterless GET route shows B any of A's ids or addresses", async () => {
    const secrets = ownersData();
    const leaks: string[] = [];
    const swept: string[] = [];
    for (const { method, path } of routes) {
      if (method !== 'GET' || path.includes(':') || path.includes('*') || NOT_TENANT_DATA.test(path)) continue;
      for (const query of ['', `?email=${encodeURIComponent(aEmail)}`, '?status=pending']) {
        // Plain fetch: the export is NDJSON, which the JSON client would not parse.
        const res = await fetch(`${services.publicUrl}${path}${query}`, {
          headers: { authorization: `Bearer ${b.apiKey}` },
        });
        const text = await res.text();
        swept.push(`${path}${query} ${res.status}`);
        const found = secrets.filter((secret) => text.includes(secret));
        if (found.length) leaks.push(`${path}${query} (${res.status}) shows ${found.join(', ')}`);
      }
    }
    console.log(`list sweep as B:\n${swept.join('\n')}`);
    expect(swept.length).toBeGreaterThanOrEqual(3 * 5);
    expect(leaks).toEqual([]);
  });

  it("R-T1: B's key (or B's signed token) on each of A's records answers as a missing one, and A is unchanged", async () => {
    const before = await settledSnapshotOfA();
    // The control: A reads each of its records (and its lists) on the same routes, so B's answers are about B.
    for (const [key, value] of Object.entries(before)) {
      if (!key.startsWith('api ')) continue;
      const row = caseFor(key.slice(4));
      const own = row && !('exempt' in row) && row.own !== undefined ? row.own : 200;
      expect([key, value.split(' ')[0]]).toEqual([key, String(own)]);
    }

    const missing: Ids = {
      contactId: randomUUID(),
      campaignId: randomUUID(),
      importId: randomUUID(),
      privacyRequestId: randomUUID(),
      noticeId: randomUUID(),
      suppressedEmail: `missing-${randomUUID()}@example.com`,
      sendingDomain: `missing-${randomUUID()}.example`,
      webhookId: randomUUID(),
    };
    const table: string[] = [];
    const wrong: string[] = [];
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      const row = caseFor(key);
      if (!row || 'exempt' in row) continue;
      const [foreignCall, absentCall] = [row.call(ids, b), row.call(missing, b)];
      const foreign = await send(foreignCall);
      const absent = await send(absentCall);
      table.push(`${key}: ${foreign.status} (expected ${row.status}: ${row.why})`);
      const [seen, unseen] = withoutParameters(foreignCall.path, foreign.text, absentCall.path, absent.text);
      const answer = `${foreign.headers.get('location') ?? ''} ${foreign.text}`;
      const shown = ownersData().filter((value) => answer.includes(value));
      if (shown.length) wrong.push(`${key}: shows A's ${shown.join(', ')}`);
      if (foreign.status !== row.status) wrong.push(`${key}: ${foreign.status} ${foreign.text.slice(0, 200)}`);
      else if (foreign.status !== absent.status || seen !== unseen)
        wrong.push(`${key}: unlike a missing record: ${absent.status} ${unseen.slice(0, 200)} / ${seen.slice(0, 200)}`);
    }
    console.log(`BOLA sweep as B on A's records:\n${table.join('\n')}`);
    expect(wrong).toEqual([]);

    // The hit path and the outbox are asynchronous: a change made through them would land within a couple of seconds.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await snapshotOfA()).toEqual(before);

    // A's own open still reaches A's report: nothing B sent (a hit counted under B for A's campaign id, in the same
    // stream of events as A's) left a consumer stuck on a write that row-level security refuses.
    const report = async () => (await asA('GET', `/v1/campaigns/${ids.campaignId}/report`)).body as { opens: number };
    const opensBefore = (await report()).opens;
    const pixel = await fetch(`${services.publicUrl}/t/o/${recipientToken('open', ids, a)}`, {
      headers: { 'user-agent': CHROME },
    });
    expect(pixel.status).toBe(200);
    await waitFor(async () => (await report()).opens === opensBefore + 1, {
      what: "A's own open in A's report",
      timeoutMs: 20_000,
      intervalMs: 250,
    });
  });

  it("R-T1: B's opt-out through a token naming A's campaign counts in no report of A's, nor holds back B's own", async () => {
    const asB = (method: string, path: string, body?: unknown) =>
      http(method, `${services.publicUrl}${path}`, { token: b.apiKey, body });
    const contact = await asB('POST', '/v1/contacts', {
      email: `caller-${b.tenant.id}@example.com`,
      lawfulBasis: 'contract',
      lists: ['b-news', 'b-offers'],
    });
    expect(contact.status).toBe(201);
    const contactId = contact.body.id as string;
    const campaign = await waitFor(
      async () => {
        const res = await asB('POST', '/v1/campaigns', {
          name: 'caller',
          subject: 'Hi',
          fromEmail: 'news@example.com',
          html: '<p>Hi</p>',
          audience: { lists: ['b-offers'] },
        });
        return res.status === 201 ? res : null;
      },
      { what: "the list b-offers in B's campaigns", timeoutMs: 60_000, intervalMs: 250 },
    );
    const campaignId = campaign.body.id as string;
    await waitFor(
      async () =>
        (
          await adminQuery(regional, 'SELECT 1 FROM unsubscribe_contacts WHERE tenant_id = $1 AND contact_id = $2', [
            b.tenant.id,
            contactId,
          ])
        ).length === 1,
      { what: "B's contact in the unsubscribe projection", timeoutMs: 30_000 },
    );
    const before = await settledSnapshotOfA();

    // B's contact leaves one list through a token naming A's campaign, then opts out of everything through one of
    // B's campaign: both are B's, one after the other in the contact's stream of events. The first must not count
    // on A's report; a write to A's row refused by row-level security would also leave the consumer retrying it
    // for good, and B's own count, behind it, would never arrive.
    const token = (campaign: string) =>
      signer.mint({ kind: 'unsubscribe', tenantId: b.tenant.id, region: 'NA', campaignId: campaign, contactId });
    const leave = await send({ method: 'POST', path: `/u/${token(ids.campaignId)}/preferences`, form: 'leave=b-news' });
    expect(leave.status).toBe(200);
    const optOut = await send({ method: 'POST', path: `/u/${token(campaignId)}`, form: 'List-Unsubscribe=One-Click' });
    expect(optOut.status).toBe(200);
    await waitFor(async () => (await asB('GET', `/v1/campaigns/${campaignId}/report`)).body.unsubscribes === 1, {
      what: "B's own opt-out in B's report",
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    expect(await snapshotOfA()).toEqual(before);
  });
});
