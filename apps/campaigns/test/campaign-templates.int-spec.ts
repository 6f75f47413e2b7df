import { randomUUID } from 'node:crypto';
import { adminQuery } from '@missive/testing';
import { DevMailSink } from '@missive/dev-mail';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { campaignsService } from '../src/service';
import { seedContacts } from './campaign-helpers';

describe('campaign templates, preview and test sends (API.md POST /v1/campaigns, /preview, /test)', () => {
  const sink = new DevMailSink({ port: 0, keep: 1000 });
  let services: TestServices;
  let t: TestTenant;
  let other: TestTenant;
  let ada: string;
  let otherContact: string;

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      QUEUE_NAMESPACE: `templates-${randomUUID().slice(0, 8)}`,
    });
    [t, other] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
    [ada] = await seedContacts(services, t.tenant, [
      { email: 'ada@example.com', firstName: 'Ada <b>', attributes: { plan: 'gold' }, trackingConsent: true },
    ]);
    [otherContact] = await seedContacts(services, other.tenant, [{ email: 'other@example.com', firstName: 'Other' }]);
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  const api = (method: string, path: string, body?: unknown, tenant: TestTenant = t) =>
    http(method, `${services.publicUrl}${path}`, { token: tenant.apiKey, body });

  const campaign = (overrides: Record<string, unknown> = {}) => ({
    name: 'templates',
    subject: 'Hello {{ firstName }}',
    fromEmail: 'news@shop.example',
    html: '<p>Hi {{ firstName }}, plan {{ attributes.plan }}. <a href="https://shop.example/sale">Sale</a></p>',
    text: 'Hi {{ firstName }}',
    audience: { lists: ['news'] },
    ...overrides,
  });

  it('API.md: a template variable that is neither a contact field nor attributes.X is a 400 naming it and its part', async () => {
    const res = await api(
      'POST',
      '/v1/campaigns',
      campaign({ subject: 'Hello {{ contact.firstName }}', text: 'Plan {{ plan }} {{ attributes.plan }}' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_input',
      message: expect.stringContaining('subject'),
      details: [
        { field: 'subject', reason: expect.stringContaining('"contact.firstName"') },
        { field: 'text', reason: expect.stringContaining('"plan"') },
      ],
    });
    // A partial is refused as a 400 of its part, not looked up (the sandbox has no file system).
    const partial = await api('POST', '/v1/campaigns', campaign({ html: "{% include '/etc/passwd' %}" }));
    expect(partial).toMatchObject({ status: 400, body: { details: [{ field: 'html' }] } });
    const fine = await api('POST', '/v1/campaigns', campaign());
    expect(fine.status).toBe(201);
  });

  /** Every campaign of a listing, following nextCursor page by page. */
  async function listAll(tenant: TestTenant, query: string): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/v1/campaigns?${query}${cursor ? `&cursor=${cursor}` : ''}`, undefined, tenant);
      expect(res.status).toBe(200);
      pages.push(res.body.items.length);
      ids.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 50);
    return { ids, pages };
  }

  it("R-T1: GET /v1/campaigns pages newest first by status, each campaign once, only the tenant's own", async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await api('POST', '/v1/campaigns', campaign({ name: `listed ${i}` }));
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    const cancelled = [created[1], created[4], created[5]];
    for (const id of cancelled) expect((await api('POST', `/v1/campaigns/${id}/cancel`)).status).toBe(202);
    const theirs = await api('POST', '/v1/campaigns', campaign({ audience: { lists: ['news'] } }), other);
    expect(theirs.status).toBe(201);

    const everything = await listAll(t, 'limit=2');
    expect(everything.ids.slice(0, 7)).toEqual([...created].reverse());
    expect(new Set(everything.ids).size).toBe(everything.ids.length);
    expect(everything.ids).not.toContain(theirs.body.id);
    expect(everything.pages.slice(0, -1).every((n) => n === 2)).toBe(true);
    expect((await listAll(t, 'status=cancelled&limit=2')).ids).toEqual([...cancelled].reverse());
    const drafts = (await listAll(t, 'status=draft&limit=3')).ids;
    expect(drafts.slice(0, 4)).toEqual([created[6], created[3], created[2], created[0]]);
    expect((await listAll(other, 'limit=200')).ids).toEqual([theirs.body.id]);

    const first = await api('GET', '/v1/campaigns?limit=1');
    expect(first.body).toEqual({
      items: [expect.objectContaining({ id: created[6] })],
      nextCursor: expect.any(String),
    });
    // t's cursor in the other tenant's hands still reads only that tenant's campaigns (RLS).
    const foreign = await api('GET', `/v1/campaigns?cursor=${first.body.nextCursor}`, undefined, other);
    expect(foreign.status).toBe(200);
    for (const c of foreign.body.items as { id: string }[]) expect(c.id).toBe(theirs.body.id);
    for (const [query, field] of [
      ['status=done', 'status'],
      ['cursor=abc', 'cursor'],
      ['limit=500', 'limit'],
      ['limit=-1', 'limit'],
    ]) {
      const res = await api('GET', `/v1/campaigns?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_input', details: [{ field }] });
    }
  });

  /** What the tenant's books hold for a campaign: ledger rows and outbox events naming it, and its report. */
  async function books(id: string) {
    const [ledger] = await adminQuery<{ n: number }>(
      'NA',
      'SELECT count(*)::int AS n FROM campaign_deliveries WHERE campaign_id = $1',
      [id],
    );
    const report = (await api('GET', `/v1/campaigns/${id}/report`)).body;
    const [campaignRow] = await adminQuery<{ status: string }>('NA', 'SELECT status FROM campaigns WHERE id = $1', [
      id,
    ]);
    return { ledger: ledger.n, report, status: campaignRow.status };
  }

  it('API.md: preview renders the campaign as that contact gets it (escaped fields, attributes, unsubscribe link); nothing sent or recorded', async () => {
    const created = await api('POST', '/v1/campaigns', campaign());
    const before = await books(created.body.id);
    const mailBefore = sink.list().length;
    const res = await api('POST', `/v1/campaigns/${created.body.id}/preview`, { contactId: ada });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['html', 'subject', 'text']);
    expect(res.body.subject).toBe('Hello Ada <b>');
    expect(res.body.html).toContain('<p>Hi Ada &lt;b&gt;, plan gold. <a href="https://shop.example/sale">Sale</a>');
    expect(res.body.html).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9_-]+"/);
    // Plain links and no pixel, even for a contact who consented to tracking: looking records nothing.
    expect(res.body.html).not.toContain('/t/o/');
    expect(res.body.html).not.toContain('/t/c/');
    expect(res.body.text).toMatch(/^Hi Ada <b>\n\nUnsubscribe: http/);
    expect(sink.list().length).toBe(mailBefore);
    expect(await books(created.body.id)).toEqual(before);
    expect(before).toMatchObject({ ledger: 0, status: 'draft' });

    // Another tenant's contact, an unknown one, another tenant's campaign, a bad body.
    expect((await api('POST', `/v1/campaigns/${created.body.id}/preview`, { contactId: otherContact })).status).toBe(
      404,
    );
    expect((await api('POST', `/v1/campaigns/${created.body.id}/preview`, { contactId: randomUUID() })).status).toBe(
      404,
    );
    const foreign = await api('POST', `/v1/campaigns/${created.body.id}/preview`, { contactId: otherContact }, other);
    expect(foreign.status).toBe(404);
    const bad = await api('POST', `/v1/campaigns/${created.body.id}/preview`, { contactId: 'ada' });
    expect(bad).toMatchObject({ status: 400, body: { details: [{ field: 'contactId' }] } });
  });

  it('API.md: a test send reaches only the given addresses, marked [Test] and X-Missive-Test: 1, untracked, and leaves the report unchanged', async () => {
    const created = await api('POST', '/v1/campaigns', campaign());
    const id = created.body.id;
    const before = await books(id);
    const stamp = Date.now();
    const to = [`qa1-${stamp}@test.example`, `QA2-${stamp}@Test.example`];
    const res = await api('POST', `/v1/campaigns/${id}/test`, { emails: to, contactId: ada });
    expect(res.status).toBe(202);
    expect(res.body.results).toEqual([
      { email: to[0], accepted: true },
      { email: to[1].toLowerCase(), accepted: true },
    ]);
    const arrived = sink.list().filter((m) => m.to.some((r) => r.includes(`-${stamp}@`)));
    expect(arrived.map((m) => m.to[0]).sort()).toEqual([to[0], to[1].toLowerCase()].sort());
    for (const m of arrived) {
      const head = m.raw.slice(0, m.raw.indexOf('\r\n\r\n')).replace(/\r\n(?=[ \t])/g, '');
      expect(head).toMatch(/^Subject: \[Test\] Hello Ada <b>$/m);
      expect(head).toMatch(/^X-Missive-Test: 1$/m);
      expect(head).toMatch(/^List-Unsubscribe: </m);
      expect(m.raw).toContain('https://shop.example/sale');
      expect(m.raw).not.toMatch(/\/t\/[oc]\//);
      // Nobody else: the contact whose fields it used gets nothing.
      expect(m.to).not.toContain('ada@example.com');
    }
    expect(sink.list().some((m) => m.to.includes('ada@example.com'))).toBe(false);
    expect(await books(id)).toEqual(before);

    // Without a contact the address alone fills the fields; 11 addresses, or another tenant's campaign, are refused.
    const plain = await api('POST', `/v1/campaigns/${id}/test`, { emails: [`qa3-${stamp}@test.example`] });
    expect(plain.status).toBe(202);
    const third = sink.list().find((m) => m.to.includes(`qa3-${stamp}@test.example`));
    expect(third?.raw).toMatch(/^Subject: \[Test\] Hello$/m);
    const eleven = Array.from({ length: 11 }, (_, i) => `n${i}@test.example`);
    expect((await api('POST', `/v1/campaigns/${id}/test`, { emails: eleven })).status).toBe(400);
    expect((await api('POST', `/v1/campaigns/${id}/test`, { emails: [`x-${stamp}@test.example`] }, other)).status).toBe(
      404,
    );
    expect(sink.list().some((m) => m.to.includes(`x-${stamp}@test.example`))).toBe(false);
  });
});
