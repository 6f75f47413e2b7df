import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { kafkaConnection } from '@missive/kafka';
import { adminQuery, startTestServices, waitFor, type TestServices } from '@missive/testing';
import { PIXEL_GIF } from '../src/link-host/pixel';
import { trackingService } from '../src/service';
import { CHROME, clickToken, envelope, LINK_TOKEN_KEYS, openToken, produce } from './tracking-fixtures';

const NA = 'NA' as const;
const PER_IP = 20;

/**
 * R-X6 on the link host, against the real broker, database and Redis: replays of one token count once, a client over
 * its per-IP limit still gets its GIF or redirect and records nothing, and X-Forwarded-For is believed from a
 * trusted proxy only. The process trusts 127.0.0.1 (this test) as its proxy, so each request names its client.
 * Every request goes to 127.0.0.1.
 */
describe('recipient-route limits on the link host (R-X6)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-recipient-limits-'));
  let services: TestServices;
  const tenantId = randomUUID();
  const linkedCampaign = randomUUID();

  beforeAll(async () => {
    services = await startTestServices([trackingService], {
      LINK_TOKEN_KEYS,
      DATA_DIR: dataDir,
      TRUSTED_PROXIES: '127.0.0.1,::1',
      RECIPIENT_RATE_PER_IP_PER_MINUTE: String(PER_IP),
    });
    await produce(kafkaConnection(services.config, NA), NA, 'campaign.links-registered', [
      envelope('campaign.links-registered', tenantId, {
        campaignId: linkedCampaign,
        links: [{ index: 0, url: 'https://shop.example.com/' }],
      }),
    ]);
    const redis = services.platform.redis.forRegion(NA);
    await waitFor(async () => (await redis.hlen(`na:t:${tenantId}:c:${linkedCampaign}:links`)) === 1, {
      what: 'the campaign links in Redis',
      timeoutMs: 30000,
    });
  }, 60000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pixel = async (token: string, client: string) => {
    const response = await fetch(`${services.publicUrl}/t/o/${token}`, {
      headers: { 'user-agent': CHROME, 'x-forwarded-for': client },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  };
  const expectGif = (response: Awaited<ReturnType<typeof pixel>>) =>
    expect(response).toEqual({ status: 200, type: 'image/gif', bytes: PIXEL_GIF });
  const hitsOf = (campaign: string) =>
    adminQuery<{ contact_id: string; kind: string; ip_truncated: string }>(
      NA,
      `SELECT contact_id, kind, ip_truncated FROM tracking_hits WHERE campaign_id = $1`,
      [campaign],
    );
  const waitForHit = (campaign: string, contact: string) =>
    waitFor(async () => (await hitsOf(campaign)).some((h) => h.contact_id === contact), {
      what: 'the marker hit',
      timeoutMs: 30000,
    });

  it('R-X6: 200 concurrent requests replaying one pixel, from 200 clients, count once', async () => {
    const campaign = randomUUID();
    const person = randomUUID();
    const token = openToken(tenantId, campaign, person);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => pixel(token, `198.51.${100 + (i >> 8)}.${i & 0xff}`)),
    );
    for (const response of responses) expectGif(response);
    // A marker after them (same campaign, same Kafka partition): once it is stored, every replay was handled.
    const marker = randomUUID();
    expectGif(await pixel(openToken(tenantId, campaign, marker), '192.0.2.1'));
    await waitForHit(campaign, marker);

    expect((await hitsOf(campaign)).filter((h) => h.contact_id === person)).toHaveLength(1);
    const [stats] = await adminQuery(
      NA,
      `SELECT opens::int, unique_opens::int FROM tracking_campaign_stats WHERE tenant_id = $1 AND campaign_id = $2`,
      [tenantId, campaign],
    );
    expect(stats).toEqual({ opens: 2, unique_opens: 2 });
    const [engagement] = await adminQuery(
      NA,
      `SELECT opens FROM tracking_contact_engagement WHERE tenant_id = $1 AND campaign_id = $2 AND contact_id = $3`,
      [tenantId, campaign, person],
    );
    expect(engagement).toEqual({ opens: 1 });
  });

  it('R-X6: over its per-IP limit a client still gets the GIF and the redirect, and nothing is recorded', async () => {
    const campaign = randomUUID();
    const client = '203.0.113.9';
    const within = Array.from({ length: PER_IP }, () => randomUUID());
    for (const contact of within) expectGif(await pixel(openToken(tenantId, campaign, contact), client));
    const over = Array.from({ length: 5 }, () => randomUUID());
    for (const contact of over) expectGif(await pixel(openToken(tenantId, campaign, contact), client));
    const click = await fetch(`${services.publicUrl}/t/c/${clickToken(tenantId, linkedCampaign, over[0], 0)}`, {
      headers: { 'user-agent': CHROME, 'x-forwarded-for': client },
      redirect: 'manual',
    });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://shop.example.com/');

    // Another client is not limited by this one; its hit, after the others in the partition, marks the end.
    const marker = randomUUID();
    expectGif(await pixel(openToken(tenantId, campaign, marker), '192.0.2.2'));
    await waitForHit(campaign, marker);
    const recorded = (await hitsOf(campaign)).map((h) => h.contact_id);
    expect(recorded.sort()).toEqual([...within, marker].sort());
    // The click token's campaign has its own partition: give it the same marker treatment.
    const clickMarker = randomUUID();
    await fetch(`${services.publicUrl}/t/c/${clickToken(tenantId, linkedCampaign, clickMarker, 0)}`, {
      headers: { 'user-agent': CHROME, 'x-forwarded-for': '192.0.2.3' },
      redirect: 'manual',
    });
    await waitForHit(linkedCampaign, clickMarker);
    expect((await hitsOf(linkedCampaign)).map((h) => h.contact_id)).toEqual([clickMarker]);
  });

  it('R-X6, R-K4: with TRUSTED_PROXIES, the client named by X-Forwarded-For is the one truncated and stored', async () => {
    const campaign = randomUUID();
    // Contacts with their own keys (R-D1), as the contacts service gives them: the IP travels sealed with it.
    const keyed = async () => {
      const contactId = randomUUID();
      await services.platform.databases.withTenant(NA, tenantId, (m) =>
        services.platform.tenantKeys.contactKeysForWrite(m, { id: tenantId, region: NA }, [contactId]),
      );
      return contactId;
    };
    expectGif(await pixel(openToken(tenantId, campaign, await keyed()), '203.0.113.77'));
    expectGif(await pixel(openToken(tenantId, campaign, await keyed()), '2001:db8:abcd:12::7'));
    const hits = await waitFor(async () => ((await hitsOf(campaign)).length === 2 ? hitsOf(campaign) : null), {
      what: 'both hits',
      timeoutMs: 30000,
    });
    expect(hits.map((h) => h.ip_truncated).sort()).toEqual(['2001:db8:abcd::', '203.0.113.0']);
  });
});
