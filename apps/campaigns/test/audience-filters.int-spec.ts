import { randomUUID } from 'node:crypto';
import { DevMailSink } from '@missive/dev-mail';
import { TRACKING_HIT, type EventEnvelope, type TrackingHitV1 } from '@missive/contracts';
import { kafkaConnection } from '@missive/kafka';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { trackingService } from '../../tracking/src/service';
import { CHROME, envelope, LINK_TOKEN_KEYS, produce } from '../../tracking/test/tracking-fixtures';
import { campaignsService } from '../src/service';
import { seedContacts } from './campaign-helpers';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * R-C9 against the real stack: POST /v1/audiences/preview counts with the same compiled SQL the send's audience
 * snapshot runs, under row-level security; filters on contact fields, attributes, times and engagement (tracking's
 * `tracking.contact-engaged`, projected by campaigns); 400s naming the place in the filter; and a campaign with a
 * filter mails only the contacts it matches.
 */
describe('audience filters (R-C9)', () => {
  const sink = new DevMailSink({ port: 0 });
  let services: TestServices;
  let tenant: TestTenant;
  let other: TestTenant;
  const stamp = Date.now();
  const email = (name: string) => `${name}-${stamp}@example.com`;
  let ids: { ann: string; bob: string; cat: string; dora: string };
  let seededAt: Date;

  beforeAll(async () => {
    await sink.start();
    services = await startTestServices([supportService, campaignsService, trackingService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL_NA: `smtp://127.0.0.1:${sink.port}`,
      SMTP_URL_EEA: `smtp://127.0.0.1:${sink.port}`,
      PUBLIC_BASE_URL: 'http://links.test:3000',
      LINK_TOKEN_KEYS,
    });
    tenant = await createTestTenant(services, { region: 'NA' });
    other = await createTestTenant(services, { region: 'NA' });
    seededAt = new Date(Date.now() - 60000);
    const [ann, bob, cat, dora] = await seedContacts(services, tenant.tenant, [
      { email: email('ann'), firstName: 'Ann', attributes: { plan: 'pro', seats: 12, renewal: '2027-03-01' } },
      { email: email('bob'), firstName: 'Bob', attributes: { plan: 'free', seats: 2, renewal: 'soon' } },
      { email: email('cat'), firstName: 'Cat', lists: ['other'], attributes: { plan: 'pro', seats: 'many' } },
      { email: email('dora'), firstName: 'Dora', birthDate: '1990-05-01' },
    ]);
    ids = { ann, bob, cat, dora };
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await sink.stop();
  });

  const api = (t: TestTenant, method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
  const count = async (body: unknown, t: TestTenant = tenant) => {
    const res = await api(t, 'POST', '/v1/audiences/preview', body);
    expect([res.status, res.body]).toEqual([200, { count: expect.any(Number) }]);
    return res.body.count as number;
  };
  const all = (...conditions: unknown[]) => ({ all: conditions });

  it('R-C9: preview counts lists and tags, attributes, fields and times, nested with all and any', async () => {
    expect(await count({ lists: ['news'] })).toBe(3);
    expect(await count({ lists: ['news'], filter: all({ field: 'attributes.plan', op: 'eq', value: 'pro' }) })).toBe(1);
    // Without lists or tags: every contact the filter matches.
    expect(await count({ filter: all({ field: 'attributes.plan', op: 'eq', value: 'pro' }) })).toBe(2);
    expect(await count({ filter: all({ field: 'attributes.plan', op: 'in', value: ['pro', 'free'] }) })).toBe(3);
    expect(await count({ lists: ['news'], filter: all({ field: 'attributes.plan', op: 'neq', value: 'pro' }) })).toBe(
      2,
    );
    expect(
      await count({ lists: ['news'], filter: all({ field: 'attributes.seats', op: 'exists', value: false }) }),
    ).toBe(1);
    // gt on a number skips Cat's "many", lt on a date skips Bob's "soon": neither fails the query.
    expect(await count({ filter: all({ field: 'attributes.seats', op: 'gt', value: 10 }) })).toBe(1);
    expect(await count({ filter: all({ field: 'attributes.renewal', op: 'lt', value: '2028-01-01' }) })).toBe(1);
    expect(
      await count({
        lists: ['news', 'other'],
        filter: {
          any: [
            { field: 'firstName', op: 'eq', value: 'Dora' },
            all(
              { field: 'attributes.plan', op: 'eq', value: 'pro' },
              { field: 'attributes.seats', op: 'gt', value: 5 },
            ),
          ],
        },
      }),
    ).toBe(2);
    expect(await count({ filter: all({ field: 'email', op: 'eq', value: email('ANN').toUpperCase() }) })).toBe(1);
    expect(await count({ filter: all({ field: 'birthDate', op: 'lt', value: '2000-01-01' }) })).toBe(1);
    expect(
      await count({ lists: ['news'], filter: all({ field: 'createdAt', op: 'gt', value: seededAt.toISOString() }) }),
    ).toBe(3);
    expect(await count({ lists: ['news'], filter: all({ field: 'updatedAt', op: 'lt', value: '2000-01-01' }) })).toBe(
      0,
    );
    // The compiled SQL carries values as parameters: a quote in a value or an attribute name is just text.
    expect(await count({ filter: all({ field: `attributes.p'lan`, op: 'eq', value: `x' OR '1'='1` }) })).toBe(0);
  });

  it("R-C9, R-T1: another tenant's preview counts only its own contacts", async () => {
    expect(await count({ lists: ['news'] }, other)).toBe(0);
    expect(await count({ filter: all({ field: 'email', op: 'exists' }) }, other)).toBe(0);
  });

  it('R-C9: openedWithinDays and clickedWithinDays read the human opens and clicks tracking publishes', async () => {
    const campaignId = randomUUID();
    const hit = (contactId: string, kind: 'open' | 'click', daysAgo: number, machine = false) =>
      envelope<TrackingHitV1>(TRACKING_HIT, tenant.tenant.id, {
        campaignId,
        contactId,
        kind,
        ...(kind === 'click' ? { linkIndex: 0 } : {}),
        at: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
        ipTruncated: '192.0.2.0',
        userAgent: CHROME,
        machine,
      });
    const hits: EventEnvelope<TrackingHitV1>[] = [
      hit(ids.ann, 'open', 2),
      hit(ids.bob, 'click', 40),
      hit(ids.bob, 'open', 45),
      hit(ids.dora, 'open', 0, true), // a machine open is not Dora's
    ];
    await produce(kafkaConnection(services.config, 'NA'), 'NA', TRACKING_HIT, hits, () => campaignId);
    await waitFor(
      async () =>
        (
          await adminQuery<{ n: number }>(
            'NA',
            'SELECT count(*)::int AS n FROM campaign_contact_engagement WHERE tenant_id = $1',
            [tenant.tenant.id],
          )
        )[0].n === 2,
      { what: 'the engagement projection to hold Ann and Bob', timeoutMs: 30000 },
    );
    const within = (field: string, op: string, value: number) =>
      count({ lists: ['news'], filter: all({ field, op, value }) });
    expect(await within('openedWithinDays', 'eq', 7)).toBe(1);
    expect(await within('openedWithinDays', 'eq', 60)).toBe(2);
    expect(await within('openedWithinDays', 'neq', 7)).toBe(2);
    expect(await within('clickedWithinDays', 'eq', 30)).toBe(0);
    expect(await within('clickedWithinDays', 'eq', 41)).toBe(1);
  });

  it('R-C9: an unknown field or operator, or a bad value, is a 400 naming its place in the filter', async () => {
    const rejected = async (path: string, body: unknown) => {
      const res = await api(tenant, 'POST', path, body);
      expect(res.status).toBe(400);
      return res.body as { message: string; details: { field: string; reason: string }[] };
    };
    const field = await rejected('/v1/audiences/preview', { filter: all({ field: 'shoeSize', op: 'eq', value: 1 }) });
    expect(field.details).toEqual([{ field: 'filter.all[0].field', reason: expect.stringContaining('"shoeSize"') }]);
    const op = await rejected('/v1/audiences/preview', {
      filter: {
        any: [
          { field: 'locale', op: 'eq', value: 'fr' },
          { field: 'locale', op: 'like', value: 'f%' },
        ],
      },
    });
    expect(op.details).toEqual([{ field: 'filter.any[1].op', reason: expect.stringContaining('"like"') }]);
    const value = await rejected('/v1/audiences/preview', {
      filter: all({ field: 'createdAt', op: 'gt', value: 'yesterday' }),
    });
    expect(value.details[0].field).toBe('filter.all[0].value');
    const deep = await rejected('/v1/audiences/preview', {
      filter: { all: [{ all: [{ all: [{ all: [{ all: [{ all: [{ field: 'email', op: 'exists' }] }] }] }] }] }] },
    });
    expect(deep.details[0].reason).toContain('deeper than 5');
    expect((await rejected('/v1/audiences/preview', { lists: 'news' })).details[0].field).toBe('lists');

    const campaign = await rejected('/v1/campaigns', {
      name: 'Filtered',
      subject: 'Hi',
      fromEmail: 'news@shop.example',
      html: '<p>Hi</p>',
      audience: { lists: ['news'], filter: all({ field: 'attributes.plan', op: 'between', value: [1, 2] }) },
    });
    expect(campaign.details).toEqual([
      { field: 'audience.filter.all[0].op', reason: expect.stringContaining('"between"') },
    ]);
    expect(campaign.message).toContain('audience.filter.all[0].op');
  });

  it('R-C9, R-S1: a campaign with a filter stores it and sends only to the contacts it matches', async () => {
    const filter = {
      any: [
        { field: 'attributes.plan', op: 'eq', value: 'pro' },
        { field: 'firstName', op: 'eq', value: 'Dora' },
      ],
    };
    const created = await api(tenant, 'POST', '/v1/campaigns', {
      name: 'Pro and Dora',
      subject: 'Hello {{ firstName }}',
      fromEmail: 'news@shop.example',
      html: '<html><body><p>Hi {{ firstName }}</p></body></html>',
      audience: { lists: ['news'], filter },
    });
    expect(created.status).toBe(201);
    expect(created.body.audience).toEqual({ lists: ['news'], tags: [], filter });
    expect(await count({ lists: ['news'], filter })).toBe(2);
    expect((await api(tenant, 'POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    const done = await waitFor(
      async () => {
        const row = (await api(tenant, 'GET', `/v1/campaigns/${created.body.id}`)).body;
        return row.status === 'sent' ? row : null;
      },
      { what: 'the filtered campaign to be sent', timeoutMs: 30000 },
    );
    expect(done.audienceSize).toBe(2);
    const to = (name: string) => sink.list().filter((m) => m.to.includes(email(name)));
    expect([to('ann').length, to('dora').length, to('bob').length, to('cat').length]).toEqual([1, 1, 0, 0]);
  });
});
