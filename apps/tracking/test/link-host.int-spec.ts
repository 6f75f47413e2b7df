import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { kafkaConnection, type KafkaConnection } from '@missive/kafka';
import { adminQuery, http, startTestServices, waitFor, type TestServices } from '@missive/testing';
import { trackingService } from '../src/service';
import { PIXEL_GIF } from '../src/link-host/pixel';
import {
  CHROME,
  clickToken,
  CURRENT_KEY,
  envelope,
  LINK_TOKEN_KEYS,
  mintWith,
  openToken,
  previousSigner,
  produce,
  signer,
} from './tracking-fixtures';

const NA = 'NA' as const;

describe('tracking link host: /t/o and /t/c against the real broker, database and Redis', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-tracking-'));
  let services: TestServices;
  let kafka: KafkaConnection;
  const tenantId = randomUUID();
  const campaignId = randomUUID();
  const contactId = randomUUID();

  beforeAll(async () => {
    services = await startTestServices([trackingService], { LINK_TOKEN_KEYS, DATA_DIR: dataDir });
    kafka = kafkaConnection(services.config, 'NA');
    // The contact has its own key, as one the contacts service knows does (R-D1): its hits' IP and UA are sealed with it.
    await services.platform.databases.withTenant(NA, tenantId, (m) =>
      services.platform.tenantKeys.contactKeysForWrite(m, { id: tenantId, region: NA }, [contactId]),
    );
    await produce(kafka, NA, 'campaign.links-registered', [
      envelope('campaign.links-registered', tenantId, {
        campaignId,
        links: [
          { index: 0, url: 'https://shop.example.com/sale?utm_source=mail' },
          { index: 1, url: 'https://example.org/b' },
          { index: 2, url: 'javascript:alert(1)' },
        ],
      }),
    ]);
    const redis = services.platform.redis.forRegion(NA);
    await waitFor(async () => (await redis.hlen(`na:t:${tenantId}:c:${campaignId}:links`)) === 2, {
      what: 'the campaign links in Redis',
      timeoutMs: 30000,
    });
  }, 60000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pixel = async (token: string, headers: Record<string, string> = { 'user-agent': CHROME }) => {
    const response = await fetch(`${services.publicUrl}/t/o/${token}`, { headers, redirect: 'manual' });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const click = (path: string, headers: Record<string, string> = { 'user-agent': CHROME }) =>
    http('GET', `${services.publicUrl}/t/c/${path}`, { headers });
  const hitsOf = (campaign: string) =>
    adminQuery<{
      tenant_id: string;
      contact_id: string | null;
      kind: string;
      ip_truncated: string | null;
      user_agent: string | null;
      machine: boolean;
      link_index: number | null;
    }>(
      NA,
      `SELECT tenant_id, contact_id, kind, ip_truncated, user_agent, machine, link_index FROM tracking_hits WHERE campaign_id = $1 ORDER BY at`,
      [campaign],
    );
  const statsOf = async (tenant: string, campaign: string) =>
    (
      await adminQuery<Record<string, number>>(
        NA,
        `SELECT opens::int, unique_opens::int AS "uniqueOpens", machine_opens::int AS "machineOpens", clicks::int,
                unique_clicks::int AS "uniqueClicks", machine_clicks::int AS "machineClicks"
         FROM tracking_campaign_stats WHERE tenant_id = $1 AND campaign_id = $2`,
        [tenant, campaign],
      )
    )[0];
  const waitForHits = (campaign: string, n: number) =>
    waitFor(async () => ((await hitsOf(campaign)).length >= n ? hitsOf(campaign) : null), {
      what: `${n} hits of the campaign`,
      timeoutMs: 30000,
    });

  function expectGif(response: Awaited<ReturnType<typeof pixel>>) {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.bytes).toEqual(PIXEL_GIF);
  }

  it('R-K2, R-K4: a valid open answers the 1×1 GIF (no-store, no cookie) and stores the /24, the user agent, human', async () => {
    const campaign = randomUUID();
    const response = await fetch(`${services.publicUrl}/t/o/${openToken(tenantId, campaign, contactId)}`, {
      headers: { 'user-agent': CHROME },
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PIXEL_GIF);
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(response.headers.get('set-cookie')).toBeNull();

    const [hit] = await waitForHits(campaign, 1);
    expect(hit).toEqual({
      tenant_id: tenantId,
      contact_id: contactId,
      kind: 'open',
      ip_truncated: '127.0.0.0',
      user_agent: CHROME,
      machine: false,
      link_index: null,
    });
    expect(await statsOf(tenantId, campaign)).toEqual({
      opens: 1,
      uniqueOpens: 1,
      machineOpens: 0,
      clicks: 0,
      uniqueClicks: 0,
      machineClicks: 0,
    });
  });

  it('R-K1, R-K2: forged, truncated, re-signed with a wrong key, tampered-tenant and other-kind tokens get the same GIF and record nothing', async () => {
    const campaign = randomUUID();
    const claims = { kind: 'open' as const, tenantId, region: NA, campaignId: campaign, contactId };
    const valid = signer.mint(claims);
    const bytes = Buffer.from(valid, 'base64url');
    const tamperedTenant = Buffer.from(bytes);
    tamperedTenant[5] ^= 0x01; // another tenant id, same tag
    const flippedTag = Buffer.from(bytes);
    flippedTag[flippedTag.length - 1] ^= 0x80;
    const bad = [
      randomBytes(bytes.length).toString('base64url'), // forged
      valid.slice(0, -4), // truncated
      valid.slice(0, 60),
      mintWith([{ kid: CURRENT_KEY.kid, secret: `wrong-${randomBytes(24).toString('hex')}` }], claims), // wrong key
      mintWith([{ kid: 'k0', secret: randomBytes(24).toString('hex') }], claims), // unknown (retired) kid
      tamperedTenant.toString('base64url'),
      flippedTag.toString('base64url'),
      signer.mint({ ...claims, kind: 'click', linkIndex: 0 }), // a click token on the pixel
      signer.mint({ ...claims, kind: 'unsubscribe' }), // an unsubscribe token on the pixel
      `${valid}A`, // trailing data
      'x'.repeat(300), // longer than any token
      '',
    ];
    for (const token of bad) expectGif(await pixel(token));

    // A valid hit of the same campaign after them: same key, same partition, so once it is counted the earlier
    // requests would have been too.
    expectGif(await pixel(valid));
    await waitForHits(campaign, 1);
    expect(await hitsOf(campaign)).toHaveLength(1);
    expect((await statsOf(tenantId, campaign)).opens).toBe(1);
  });

  it('R-K1: after a key rotation, tokens signed with the previous key still verify and are recorded', async () => {
    const campaign = randomUUID();
    const old = previousSigner.mint({ kind: 'open', tenantId, region: NA, campaignId: campaign, contactId });
    expectGif(await pixel(old));
    const [hit] = await waitForHits(campaign, 1);
    expect(hit.contact_id).toBe(contactId);
  });

  it('R-K4, R-X6: machine and human opens count apart, each once a minute; unique opens count people once', async () => {
    const campaign = randomUUID();
    const person = randomUUID();
    const token = openToken(tenantId, campaign, person);
    expectGif(await pixel(token, { 'user-agent': 'Mozilla/5.0' })); // Apple MPP proxy
    expectGif(await pixel(token, { 'user-agent': 'Barracuda Sentinel (EE)' })); // another machine: a replay
    expectGif(await pixel(token)); // the person: counted although a machine fetched first
    expectGif(await pixel(token)); // the person again within the minute: a replay
    // A marker after them (same campaign, same partition): once it is stored, the four were handled.
    expectGif(await pixel(openToken(tenantId, campaign, randomUUID())));
    await waitForHits(campaign, 3);
    const hits = (await hitsOf(campaign)).filter((h) => h.contact_id === person);
    expect(hits.map((h) => h.machine).sort()).toEqual([false, true]);
    expect(await statsOf(tenantId, campaign)).toMatchObject({ opens: 2, uniqueOpens: 2, machineOpens: 1 });
    const [engagement] = await adminQuery(
      NA,
      `SELECT opens, machine_opens FROM tracking_contact_engagement WHERE tenant_id = $1 AND campaign_id = $2 AND contact_id = $3`,
      [tenantId, campaign, person],
    );
    expect(engagement).toEqual({ opens: 1, machine_opens: 1 });
  });

  it('R-X6: without TRUSTED_PROXIES, X-Forwarded-For is ignored: the stored /24 is the direct peer’s', async () => {
    const campaign = randomUUID();
    expectGif(
      await pixel(openToken(tenantId, campaign, contactId), {
        'user-agent': CHROME,
        'x-forwarded-for': '203.0.113.77',
      }),
    );
    const [hit] = await waitForHits(campaign, 1);
    expect(hit.ip_truncated).toBe('127.0.0.0');
  });

  it('R-K3: a valid click redirects (302) to the stored URL and is recorded with its link index', async () => {
    const token = clickToken(tenantId, campaignId, contactId, 0);
    const response = await click(token);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://shop.example.com/sale?utm_source=mail');
    expect(response.headers.get('set-cookie')).toBeNull();
    const hits = await waitForHits(campaignId, 1);
    expect(hits.find((h) => h.kind === 'click')).toMatchObject({ link_index: 0, ip_truncated: '127.0.0.0' });
    // The record of the links is in the regional table too.
    expect(
      await adminQuery(
        NA,
        `SELECT link_index, url FROM tracking_links WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY 1`,
        [tenantId, campaignId],
      ),
    ).toEqual([
      { link_index: 0, url: 'https://shop.example.com/sale?utm_source=mail' },
      { link_index: 1, url: 'https://example.org/b' },
    ]);
  });

  it('R-K3: a click token whose query or fragment is altered never redirects elsewhere', async () => {
    const token = clickToken(tenantId, campaignId, contactId, 1);
    for (const suffix of [
      '?url=https://evil.example',
      '?redirect=https%3A%2F%2Fevil.example&next=//evil',
      '#https://evil.example',
    ]) {
      const response = await click(`${token}${suffix}`);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('https://example.org/b');
    }
    for (const suffix of [
      '%23https://evil.example',
      '/https://evil.example',
      '%2F%2Fevil.example',
      '%3Furl=https://evil.example',
    ]) {
      const response = await click(`${token}${suffix}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it('R-K3: forged, truncated, wrong-key, other-tenant, other-kind and unknown-link click tokens are 404 and record nothing', async () => {
    const campaign = randomUUID();
    await produce(kafka, NA, 'campaign.links-registered', [
      envelope('campaign.links-registered', tenantId, {
        campaignId: campaign,
        links: [{ index: 0, url: 'https://example.net/' }],
      }),
    ]);
    const redis = services.platform.redis.forRegion(NA);
    await waitFor(async () => (await redis.hlen(`na:t:${tenantId}:c:${campaign}:links`)) === 1, {
      what: 'links',
      timeoutMs: 30000,
    });
    const claims = { kind: 'click' as const, tenantId, region: NA, campaignId: campaign, contactId, linkIndex: 0 };
    const valid = signer.mint(claims);
    const bad = [
      randomBytes(Buffer.from(valid, 'base64url').length).toString('base64url'),
      valid.slice(0, -3),
      mintWith([{ kid: CURRENT_KEY.kid, secret: `wrong-${randomBytes(24).toString('hex')}` }], claims),
      signer.mint({ ...claims, tenantId: randomUUID() }), // genuine token of another tenant: no such link there
      signer.mint({ ...claims, kind: 'open', linkIndex: undefined }),
      signer.mint({ ...claims, linkIndex: 7 }), // no link 7
      clickToken(tenantId, campaignId, contactId, 2), // its URL was javascript: and never stored
      'not-a-token',
    ];
    for (const token of bad) {
      const response = await click(token);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: 'not_found' });
      expect(response.headers.get('location')).toBeNull();
    }
    expect((await click(valid)).status).toBe(302);
    await waitForHits(campaign, 1);
    expect(await hitsOf(campaign)).toHaveLength(1);
  });

  it('R-X5: a hit delivered twice is counted once', async () => {
    const campaign = randomUUID();
    const hit = envelope('tracking.hit', tenantId, {
      campaignId: campaign,
      contactId,
      kind: 'open',
      at: new Date().toISOString(),
      ipTruncated: '192.0.2.0',
      userAgent: CHROME,
      machine: false,
    });
    await produce(kafka, NA, 'tracking.hit', [hit, hit], () => campaign);
    await produce(kafka, NA, 'tracking.hit', [hit], () => campaign);
    expectGif(await pixel(openToken(tenantId, campaign, randomUUID()))); // a marker after them
    await waitForHits(campaign, 2);
    expect(await hitsOf(campaign)).toHaveLength(2);
    expect(await statsOf(tenantId, campaign)).toMatchObject({ opens: 2, uniqueOpens: 2 });
  });

  it('R-K4: an erased contact’s hits store nothing linked to the person, before or after the erasure', async () => {
    const campaign = randomUUID();
    const erased = randomUUID();
    const token = openToken(tenantId, campaign, erased);
    expectGif(await pixel(token));
    await waitForHits(campaign, 1);

    await produce(kafka, NA, 'contact.erased', [envelope('contact.erased', tenantId, { contactId: erased })]);
    await waitFor(
      async () =>
        (
          await adminQuery(NA, `SELECT 1 FROM tracking_blocked_contacts WHERE tenant_id = $1 AND contact_id = $2`, [
            tenantId,
            erased,
          ])
        ).length === 1,
      { what: 'the erasure to reach tracking', timeoutMs: 30000 },
    );
    // The person still gets the GIF (here a machine's fetch: the person's own open within the minute was a replay).
    expectGif(await pixel(token, { 'user-agent': 'Mozilla/5.0' }));
    const clickAfter = await click(clickToken(tenantId, campaignId, erased, 0));
    expect(clickAfter.status).toBe(302); // and the redirect

    const hits = await waitForHits(campaign, 2);
    for (const hit of hits) expect(hit).toMatchObject({ contact_id: null, ip_truncated: null, user_agent: null });
    await waitFor(
      async () =>
        (
          await adminQuery(
            NA,
            `SELECT 1 FROM tracking_hits WHERE campaign_id = $1 AND kind = 'click' AND tenant_id = $2 AND contact_id IS NULL`,
            [campaignId, tenantId],
          )
        ).length >= 1,
      { what: 'the anonymous click', timeoutMs: 30000 },
    );
    expect(
      await adminQuery(NA, `SELECT * FROM tracking_hits WHERE tenant_id = $1 AND contact_id = $2`, [tenantId, erased]),
    ).toEqual([]);
    expect(
      await adminQuery(NA, `SELECT * FROM tracking_contact_engagement WHERE tenant_id = $1 AND contact_id = $2`, [
        tenantId,
        erased,
      ]),
    ).toEqual([]);
    // The anonymous aggregate keeps counting: the person's open before, the machine's after.
    expect(await statsOf(tenantId, campaign)).toMatchObject({ opens: 1, machineOpens: 1 });
  });

  it('R-K4: an opted-out contact’s new hits are counted anonymously', async () => {
    const campaign = randomUUID();
    const optedOut = randomUUID();
    await produce(kafka, NA, 'unsubscribe.recorded', [
      // What the unsubscribe service writes (UnsubscribeRecordedV1): consumers drop an event that breaks it (R-X5).
      envelope('unsubscribe.recorded', tenantId, {
        contactId: optedOut,
        campaignId: null,
        lists: null,
        source: 'page',
      }),
    ]);
    await waitFor(
      async () =>
        (
          await adminQuery(
            NA,
            `SELECT reason FROM tracking_blocked_contacts WHERE tenant_id = $1 AND contact_id = $2`,
            [tenantId, optedOut],
          )
        )[0]?.reason === 'unsubscribed',
      { what: 'the opt-out to reach tracking', timeoutMs: 30000 },
    );
    expectGif(await pixel(openToken(tenantId, campaign, optedOut)));
    const [hit] = await waitForHits(campaign, 1);
    expect(hit).toMatchObject({ contact_id: null, ip_truncated: null, user_agent: null });
    expect(await statsOf(tenantId, campaign)).toMatchObject({ opens: 1, uniqueOpens: 0 });
  });

  it('R-T1: the tracking tables are under row-level security: the app role sees nothing without a tenant', async () => {
    const db = services.platform.databases.forRegion(NA);
    for (const table of [
      'tracking_hits',
      'tracking_campaign_stats',
      'tracking_links',
      'tracking_contact_engagement',
      'tracking_blocked_contacts',
    ]) {
      const [{ c }] = await db.query(`SELECT count(*)::int AS c FROM ${table}`);
      expect(c).toBe(0);
    }
    const seen = await services.platform.databases.withTenant(NA, tenantId, (m) =>
      m.query(`SELECT DISTINCT tenant_id FROM tracking_hits`),
    );
    expect(seen).toEqual([{ tenant_id: tenantId }]);
  });
});
