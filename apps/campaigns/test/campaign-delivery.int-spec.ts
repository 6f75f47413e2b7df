import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { DevMailSink } from '@missive/dev-mail';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { SendRateLimiter } from '../src/sending/send-rate-limiter';
import { campaignsService } from '../src/service';
import { seedProjection } from './campaign-helpers';

const RATE = 20;

describe('R-S5: delivery with DKIM and a per-tenant send rate shared by every worker', () => {
  const sink = new DevMailSink({ port: 0, keep: 10000 });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  // Two processes' worth of services on one queue: both run send workers.
  let first: TestServices;
  let second: TestServices;
  let t: TestTenant;

  beforeAll(async () => {
    await sink.start();
    const env = {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      QUEUE_NAMESPACE: `delivery-${randomUUID().slice(0, 8)}`,
      TENANT_SEND_RATE_PER_SECOND: String(RATE),
      DKIM_DOMAIN: 'shop.example',
      DKIM_SELECTOR: 'missive1',
      DKIM_PRIVATE_KEY: privateKey,
    };
    [first, second] = await Promise.all([
      startTestServices([supportService, campaignsService], env),
      startTestServices([campaignsService], env),
    ]);
    t = await createTestTenant(first, { region: 'NA' });
  }, 120000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await sink.stop();
  });

  const api = (method: string, path: string, body?: unknown) =>
    http(method, `${first.publicUrl}${path}`, { token: t.apiKey, body });

  async function sendCampaign(list: string): Promise<string> {
    const created = await api('POST', '/v1/campaigns', {
      name: list,
      subject: 'Hello {{ firstName }}',
      fromEmail: 'news@shop.example',
      html: '<p>Hello {{ firstName }}</p>',
      audience: { lists: [list] },
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    return created.body.id;
  }

  const finished = (id: string) =>
    waitFor(async () => (await api('GET', `/v1/campaigns/${id}`)).body.status === 'sent', {
      what: 'the campaign to be sent',
      timeoutMs: 60000,
    });

  /**
   * The DKIM record a receiver would look up (RFC 6376 §3.6.2), answered from the test's key: mailauth verifies the
   * signature itself (header and body hashes, RSA), in strict mode so a body hash mismatch is a `fail`.
   */
  const dkimRecord = `v=DKIM1; k=rsa; p=${createPublicKey(publicKey).export({ format: 'der', type: 'spki' }).toString('base64')}`;
  const verify = (raw: string) =>
    dkimVerify(raw, {
      resolver: async (name: string, rrtype: string) => {
        if (rrtype === 'TXT' && name === 'missive1._domainkey.shop.example') return [[dkimRecord]];
        throw Object.assign(new Error(`no ${rrtype} record for ${name}`), { code: 'ENOTFOUND' });
      },
      strict: true,
    });

  it('R-S5: with DKIM configured, every message at the sink carries a DKIM signature that verifies for the domain and selector', async () => {
    const prefix = `dkim${Date.now()}-`;
    await seedProjection(t.tenant, 3, { list: 'dkim', emailPrefix: prefix });
    await finished(await sendCampaign('dkim'));
    const messages = sink.list().filter((m) => m.to[0].startsWith(prefix));
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      const result = await verify(m.raw);
      expect(
        result.results.map((r) => [r.signingDomain, r.selector, r.status.result, r.status.comment ?? null]),
      ).toEqual([['shop.example', 'missive1', 'pass', null]]);
      // The same bytes with the body changed after signing: the body hash no longer matches.
      const tampered = m.raw.replace('<p>Hello ', '<p>Hullo ');
      expect(tampered).not.toBe(m.raw);
      expect((await verify(tampered)).results.map((r) => r.status.result)).toEqual(['fail']);
    }
  }, 90000);

  it('R-S5: permits reserved from two instances share one rate', async () => {
    const limiters = [first, second].map((s) => s.publicApp!.get(SendRateLimiter, { strict: false }));
    const tenantId = randomUUID();
    const start = Date.now();
    // 2 × 30 permits in groups of 2 at 20/s: about 3 s, whichever instance asks.
    await Promise.all(
      limiters.map(async (limiter) => {
        for (let i = 0; i < 15; i += 1) await limiter.reserve('NA', tenantId, 2);
      }),
    );
    expect(Date.now() - start).toBeGreaterThanOrEqual(((60 - 2) / RATE) * 1000 - 100);
  });

  it('R-S5: two campaigns of one tenant sending at once stay within the tenant rate together', async () => {
    const stamp = Date.now();
    await seedProjection(t.tenant, 40, { list: 'rate-a', emailPrefix: `ra${stamp}-` });
    await seedProjection(t.tenant, 40, { list: 'rate-b', emailPrefix: `rb${stamp}-` });
    const ids = [await sendCampaign('rate-a'), await sendCampaign('rate-b')];
    await Promise.all(ids.map(finished));
    const times = sink
      .list()
      .filter((m) => m.to[0].startsWith(`ra${stamp}-`) || m.to[0].startsWith(`rb${stamp}-`))
      .map((m) => Date.parse(m.receivedAt))
      .sort((a, b) => a - b);
    expect(times).toHaveLength(80);
    // Unlimited, 80 messages reach the sink in a fraction of a second; at 20/s they take 4 s, released a group
    // (rate / 10) at a time. Arrival at the sink adds the relay's jitter, hence the margins.
    expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(3000);
    const busiest = Math.max(...times.map((t0) => times.filter((t1) => t1 >= t0 && t1 < t0 + 2000).length));
    expect(busiest).toBeLessThanOrEqual(2 * RATE * 1.2);
  }, 90000);
});
