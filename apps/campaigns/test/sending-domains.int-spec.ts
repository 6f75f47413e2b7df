import { createPublicKey, randomUUID } from 'node:crypto';
import { promises as dns } from 'node:dns';
import type { AddressInfo } from 'node:net';
import dns2 from 'dns2';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { configWith, type MissiveConfig } from '@missive/config';
import { DevMailSink } from '@missive/dev-mail';
import { startServices, type RunningServices } from '@missive/platform';
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
import { campaignsService } from '../src/service';
import { seedProjection } from './campaign-helpers';

/** Fixed, from this file's port range: c-ares asks TCP on the UDP server's port after a truncated answer. */
const DNS_PORT = 19760;
const SPF_INCLUDE = 'relay.missive.test';

interface PublishedRecord {
  type: string;
  name: string;
  value: string;
}

/**
 * A real DNS server on loopback holding a zone the test edits: TXT records only, each split into the 255-byte
 * character-strings DNS carries (RFC 1035 §3.3.14), NXDOMAIN for names it does not hold.
 */
class LoopbackZone {
  readonly records = new Map<string, string[]>();
  private readonly server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const txt = this.records.get(question.name.toLowerCase());
      if (!txt) response.header.rcode = 3;
      else if (question.type === dns2.Packet.TYPE.TXT)
        for (const value of txt)
          response.answers.push({
            name: question.name,
            type: dns2.Packet.TYPE.TXT,
            class: dns2.Packet.CLASS.IN,
            ttl: 1,
            data: value.match(/.{1,255}/g) ?? [''],
          } as never);
      void send(response);
    },
  });

  async start(): Promise<void> {
    await this.server.listen({
      udp: { port: DNS_PORT, address: '127.0.0.1' },
      tcp: { port: DNS_PORT, address: '127.0.0.1' },
    });
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  publish(records: PublishedRecord[]): void {
    for (const r of records) this.records.set(r.name, [...(this.records.get(r.name) ?? []), r.value]);
  }

  clear(): void {
    this.records.clear();
  }
}

describe('R-S9: sending domains: a DKIM key per domain, the records to publish, verification by DNS, signing', () => {
  const zone = new LoopbackZone();
  const sink = new DevMailSink({ port: 0, keep: 1000 });
  const resolver = new dns.Resolver();
  let services: TestServices;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    await Promise.all([zone.start(), sink.start()]);
    resolver.setServers([`127.0.0.1:${DNS_PORT}`]);
    services = await startTestServices([supportService, campaignsService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      DNS_RESOLVER: `127.0.0.1:${DNS_PORT}`,
      SPF_INCLUDE,
    });
    [a, b] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await services?.stop();
    await Promise.all([zone.stop(), sink.stop()]);
  });

  const as = (t: TestTenant) => (method: string, path: string, body?: unknown) =>
    http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
  const newDomain = () => `d${randomUUID().slice(0, 8)}.shop.test`;

  async function register(domain: string): Promise<PublishedRecord[]> {
    const res = await as(a)('POST', '/v1/sending-domains', { domain });
    expect(res.status).toBe(201);
    return res.body.records as PublishedRecord[];
  }

  it('R-S9: registering answers the DKIM (2048-bit RSA), SPF and DMARC records; the private key is sealed at rest', async () => {
    const domain = newDomain();
    const res = await as(a)('POST', '/v1/sending-domains', { domain: domain.toUpperCase() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ domain, status: 'pending' });
    const [dkim, spf, dmarc] = res.body.records as PublishedRecord[];
    expect(dkim).toEqual({
      type: 'TXT',
      name: expect.stringMatching(new RegExp(`^mv\\d{6}\\._domainkey\\.${domain.replace(/\./g, '\\.')}$`)),
      value: expect.stringMatching(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/),
    });
    const key = createPublicKey({ key: Buffer.from(dkim.value.split('p=')[1], 'base64'), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(spf).toEqual({ type: 'TXT', name: domain, value: `v=spf1 include:${SPF_INCLUDE} ~all` });
    expect(dmarc).toEqual({ type: 'TXT', name: `_dmarc.${domain}`, value: expect.stringMatching(/^v=DMARC1; p=none/) });

    const [row] = await adminQuery<{ private_key_sealed: string }>(
      'NA',
      'SELECT private_key_sealed FROM sending_domains WHERE tenant_id = $1 AND domain = $2',
      [a.tenant.id, domain],
    );
    expect(row.private_key_sealed).not.toMatch(/PRIVATE KEY|MII/);
    expect(Buffer.from(row.private_key_sealed, 'base64').toString('latin1')).not.toMatch(/PRIVATE KEY/);

    const listed = await as(a)('GET', '/v1/sending-domains');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(expect.objectContaining({ domain, status: 'pending' }));
    expect((await as(a)('POST', '/v1/sending-domains', { domain })).status).toBe(409);
    const invalid = await as(a)('POST', '/v1/sending-domains', { domain: 'not a domain' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details).toEqual([{ field: 'domain', reason: 'not a domain name' }]);
  }, 30_000);

  it('R-S9: verification reads DNS: each missing record is named; a wrong DKIM key stays pending naming DKIM; all published verifies', async () => {
    const domain = newDomain();
    const records = await register(domain);
    const verify = () => as(a)('POST', `/v1/sending-domains/${domain}/verify`);

    const nothing = await verify();
    expect(nothing.status).toBe(200);
    expect(nothing.body.status).toBe('pending');
    expect(nothing.body.problems.map((p: { record: string }) => p.record)).toEqual(['DKIM', 'SPF', 'DMARC']);

    // Another key at the DKIM name (a copy from another provider, or a typo): the SPF and DMARC records are right.
    const other = records[0].value.replace(/p=.{40}/, `p=${'A'.repeat(40)}`);
    zone.publish([{ ...records[0], value: other }, records[1], records[2]]);
    const wrongKey = await verify();
    expect(wrongKey.body).toMatchObject({ status: 'pending' });
    expect(wrongKey.body.problems).toEqual([
      { record: 'DKIM', name: records[0].name, reason: 'the DKIM record holds another key' },
    ]);

    zone.records.set(records[0].name, [records[0].value]);
    const verified = await verify();
    expect(verified.body).toMatchObject({ domain, status: 'verified', problems: [] });
    expect(Date.parse(verified.body.verifiedAt)).toBeGreaterThan(Date.now() - 60_000);
    // The DNS server answered the real resolver (not a stub): the DKIM record came through it whole.
    expect((await resolver.resolveTxt(records[0].name)).map((s) => s.join(''))).toEqual([records[0].value]);
  }, 30_000);

  it("R-T1: another tenant's domain answers 404 on verify and delete, and is not listed", async () => {
    const domain = newDomain();
    await register(domain);
    expect((await as(b)('POST', `/v1/sending-domains/${domain}/verify`)).status).toBe(404);
    expect((await as(b)('DELETE', `/v1/sending-domains/${domain}`)).status).toBe(404);
    expect((await as(b)('GET', '/v1/sending-domains')).body.items).toEqual([]);
    expect((await as(a)('DELETE', `/v1/sending-domains/${domain}`)).status).toBe(204);
    expect((await as(a)('POST', `/v1/sending-domains/${domain}/verify`)).status).toBe(404);
  }, 30_000);

  it('R-S9: a campaign From a verified domain is DKIM-signed d= that domain; mailauth passes it against the published key and fails a tampered body', async () => {
    const domain = newDomain();
    zone.publish(await register(domain));
    expect((await as(a)('POST', `/v1/sending-domains/${domain}/verify`)).body.status).toBe('verified');
    const prefix = `sd${Date.now()}-`;
    await seedProjection(a.tenant, 2, { list: 'signed', emailPrefix: prefix });
    const created = await as(a)('POST', '/v1/campaigns', {
      name: 'signed',
      subject: 'Signed',
      fromEmail: `news@${domain}`,
      html: '<p>Hello {{ firstName }}, from a signed domain.</p>',
      audience: { lists: ['signed'] },
    });
    expect(created.status).toBe(201);
    expect((await as(a)('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    const messages = await waitFor(
      () => {
        const got = sink.list().filter((m) => m.to[0].startsWith(prefix));
        return got.length === 2 ? got : null;
      },
      { what: 'both messages at the sink', timeoutMs: 30_000 },
    );
    // Strict mode: a body hash mismatch is a `fail` (RFC 6376 §6.1.3, RFC 8601), not the lenient `neutral`.
    const verify = (raw: string) =>
      dkimVerify(raw, {
        resolver: (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][]>,
        strict: true,
      });
    for (const m of messages) {
      const result = await verify(m.raw);
      expect(result.results.map((r) => [r.signingDomain, r.status.result])).toEqual([[domain, 'pass']]);
      // A byte of the body changed on the way: the body hash no longer matches.
      const tampered = m.raw.replace('from a signed domain', 'from a forged domain');
      expect(tampered).not.toBe(m.raw);
      const failed = await verify(tampered);
      expect(failed.results.map((r) => [r.signingDomain, r.status.result, r.status.comment])).toEqual([
        [domain, 'fail', 'body hash did not verify'],
      ]);
      const forgedSubject = await verify(m.raw.replace(/^Subject: Signed/m, 'Subject: Forged'));
      expect(forgedSubject.results.map((r) => [r.signingDomain, r.status.result])).toEqual([[domain, 'fail']]);
    }
  }, 60_000);

  it('R-S9: a campaign From a domain that is registered but not verified is not signed with its key', async () => {
    const domain = newDomain();
    await register(domain);
    const prefix = `ns${Date.now()}-`;
    await seedProjection(a.tenant, 1, { list: 'unsigned', emailPrefix: prefix });
    const created = await as(a)('POST', '/v1/campaigns', {
      name: 'unsigned',
      subject: 'Unsigned',
      fromEmail: `news@${domain}`,
      html: '<p>Hello</p>',
      audience: { lists: ['unsigned'] },
    });
    expect((await as(a)('POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
    const [message] = await waitFor(
      () => {
        const got = sink.list().filter((m) => m.to[0].startsWith(prefix));
        return got.length === 1 ? got : null;
      },
      { what: 'the message at the sink', timeoutMs: 30_000 },
    );
    expect(message.raw).not.toMatch(/^DKIM-Signature:/im);
  }, 60_000);

  describe('with NODE_ENV=production', () => {
    let production: RunningServices;
    let productionUrl: string;

    beforeAll(async () => {
      // The production flag alone: the rest of a production configuration (TLS to Kafka and the relay, secrets)
      // is not what this rule is about, and this instance sends nothing.
      const config = configWith({
        QUEUE_NAMESPACE: `prod-${randomUUID().slice(0, 8)}`,
        PORT: '0',
        SUPPORT_PORT: '0',
        LOG_LEVEL: 'warn',
      });
      production = await startServices([campaignsService], {
        config: { ...config, production: true } as MissiveConfig,
        groupPrefix: `test-${randomUUID().slice(0, 8)}`,
        startAtLatest: true,
        devMailSink: false,
      });
      productionUrl = `http://127.0.0.1:${(production.publicApp!.getHttpServer().address() as AddressInfo).port}`;
    }, 60_000);

    afterAll(async () => {
      await production?.stop();
    });

    const campaign = (fromEmail: string) => ({
      name: 'production',
      subject: 'Hi',
      fromEmail,
      html: '<p>Hi</p>',
      audience: { lists: ['production'] },
    });

    it("R-S9: POST /v1/campaigns refuses a From not on the tenant's verified domain (400 naming fromEmail), accepts one on it", async () => {
      const domain = newDomain();
      zone.publish(await register(domain));
      await seedProjection(a.tenant, 1, { list: 'production', emailPrefix: `pr${Date.now()}-` });
      const post = (t: TestTenant, body: unknown) =>
        http('POST', `${productionUrl}/v1/campaigns`, { token: t.apiKey, body });

      const pending = await post(a, campaign(`news@${domain}`));
      expect(pending.status).toBe(400);
      expect(pending.body.details).toEqual([
        { field: 'fromEmail', reason: 'not on a verified sending domain of this tenant (R-S9)' },
      ]);
      expect((await as(a)('POST', `/v1/sending-domains/${domain}/verify`)).body.status).toBe('verified');
      expect((await post(a, campaign(`news@${domain}`))).status).toBe(201);
      // A sub-domain is another domain; another tenant's verified domain is not B's.
      expect((await post(a, campaign(`news@mail.${domain}`))).status).toBe(400);
      const foreign = await post(b, campaign(`news@${domain}`));
      expect(foreign.status).toBe(400);
      expect(foreign.body.details.map((d: { field: string }) => d.field)).toContain('fromEmail');
    }, 30_000);
  });
});
