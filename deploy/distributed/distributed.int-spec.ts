import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { simpleParser } from 'mailparser';
import { loadConfig } from '@missive/config';
import { DevMailSink, type SunkMessage } from '@missive/dev-mail';
import { ensureTopics } from '@missive/kafka';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type ScratchDatabases,
  type TestTenant,
} from '@missive/testing';
import { startLocalBroker, stopLocalBroker } from '../local/kafka-broker';
import { ensureBundles } from './build-services';
import { ServiceFleet, type ServiceProcess } from './service-processes';

/**
 * Distributed mode end to end (issue 10): every service its own process, `node dist/apps/<service>/main.js`, two
 * replicas of campaigns and tracking, against one Kafka, PostgreSQL and Redis. The broker (19100, controller 19101)
 * and the databases are this file's own, so the services' consumer groups (prefix `missive`, starting at the oldest
 * event, as in production) see only this test's events; BullMQ queues get a namespace of their own.
 */
const BROKER_PORT = 19100;
/** Recipients of the campaign whose replica is killed: still sending at the kill, small enough for 2 cores. */
const AUDIENCE = 4000;
/** Caps the send rate (R-S5, shared through Redis) so the big campaign lasts ~10 s and the kill lands mid-way. */
const SEND_RATE = 400;
/** The kill happens once the sink holds this many of the big campaign's messages. */
const KILL_AFTER = 800;
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const LINKS = 'http://links.missive.test';
const CSV_HEADER = 'email,firstName,lawfulBasis,consent.givenAt,consent.source,lists';

const csvRows = (emails: string[], list: string) =>
  `${CSV_HEADER}\n${emails.map((e, i) => `${e},P${i},consent,2025-03-01T09:00:00Z,web,${list}`).join('\n')}\n`;

/** `missive_campaign_messages_total{outcome="sent"}` of one process: the messages it recorded as sent. */
async function sentBy(p: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${p.publicUrl}/metrics`)).text();
  const lines = text.split('\n').filter((l) => /^missive_campaign_messages_total\{[^}]*outcome="sent"/.test(l));
  return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** Deletes the Redis keys of this run's queue namespace (BullMQ send and import queues: ids only, but no litter). */
async function dropQueues(namespace: string): Promise<void> {
  const redis = new Redis(loadConfig().redis.NA, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*:${namespace}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** RFC 5322 unfolding, then one header's value. */
function header(raw: string, name: string): string | null {
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(raw.replace(/\r?\n(?=[ \t])/g, ''));
  return match ? match[1].trim() : null;
}

describe('distributed mode: each service its own process, 2× campaigns and 2× tracking (issue 10)', () => {
  const uid = randomUUID().slice(0, 8);
  const sink = new DevMailSink({ port: 0, keep: AUDIENCE * 3 });
  const fleet = new ServiceFleet();
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-distributed-'));
  let scratch: ScratchDatabases | undefined;
  let db: { url: string };
  let brokerStarted = false;
  let p: Record<
    'support' | 'contacts' | 'campaignsA' | 'campaignsB' | 'trackingA' | 'trackingB' | 'unsubscribe' | 'privacy',
    ServiceProcess
  >;

  /** A failure's message carries the end of every process's output. */
  const explained = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      (error as Error).message += `\n\nservice processes:\n${fleet.tails()}`;
      throw error;
    }
  };

  beforeAll(async () => {
    const t0 = Date.now();
    const { built, seconds } = ensureBundles();
    await sink.start();
    [scratch] = await Promise.all([
      createScratchDatabases(`dist${uid}`),
      startLocalBroker(BROKER_PORT, { fresh: true }).then(() => (brokerStarted = true)),
    ]);
    db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    // Topics first, with every partition led, so processes subscribing at once never meet a half-made topic.
    const admin = new Kafka({
      clientId: 'distributed-test',
      brokers: [`127.0.0.1:${BROKER_PORT}`],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, ['NA']);
      await waitFor(
        async () => (await admin.fetchTopicMetadata()).topics.every((t) => t.partitions.every((x) => x.leader >= 0)),
        { what: 'partition leaders', timeoutMs: 30000 },
      );
    } finally {
      await admin.disconnect();
    }

    const base = loadConfig();
    // The whole environment of every process: nothing leaks in from the test's own.
    const env: Record<string, string> = {
      ...scratch.env,
      NODE_ENV: 'development',
      REGIONS: 'NA',
      KAFKA_BROKERS: `127.0.0.1:${BROKER_PORT}`,
      REDIS_URL: base.redis.NA,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      PUBLIC_BASE_URL: LINKS,
      QUEUE_NAMESPACE: `dist-${uid}`,
      DATA_DIR: dataDir,
      LINK_TOKEN_KEYS: `d${uid.slice(0, 6)}:${randomBytes(24).toString('base64url')}`,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      TENANT_SEND_RATE_PER_SECOND: String(SEND_RATE),
      LOG_LEVEL: 'warn',
    };
    const names = {
      support: 'support',
      contacts: 'contacts',
      campaignsA: 'campaigns',
      campaignsB: 'campaigns',
      trackingA: 'tracking',
      trackingB: 'tracking',
      unsubscribe: 'unsubscribe',
      privacy: 'privacy',
    } as const;
    const t1 = Date.now();
    const started = await explained(() =>
      fleet.start(
        Object.entries(names).map(([name, service]) => ({ service, name: `${name}-${uid}`, env: { ...env } })),
      ),
    );
    p = Object.fromEntries(Object.keys(names).map((name, i) => [name, started[i]])) as typeof p;
    process.stdout.write(
      `distributed: ${built.length ? `built ${built.join(', ')} in ${seconds.toFixed(1)} s; ` : 'bundles up to date; '}` +
        `broker, databases and topics in ${((t1 - t0) / 1000 - seconds).toFixed(1)} s; ` +
        `${started.length} service processes ready in ${((Date.now() - t1) / 1000).toFixed(1)} s\n`,
    );
  }, 240000);

  afterAll(async () => {
    const t0 = Date.now();
    await fleet.stopAll();
    const stopped = Date.now();
    if (brokerStarted) await stopLocalBroker(BROKER_PORT);
    await scratch?.drop();
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await dropQueues(`dist-${uid}`);
    process.stdout.write(
      `distributed: processes stopped in ${((stopped - t0) / 1000).toFixed(1)} s, ` +
        `broker and databases in ${((Date.now() - stopped) / 1000).toFixed(1)} s\n`,
    );
  }, 90000);

  const api = (t: TestTenant, at: ServiceProcess, method: string, path: string, body?: unknown) =>
    http(method, `${at.publicUrl}${path}`, { token: t.apiKey, body });

  async function importContacts(t: TestTenant, emails: string[], list: string): Promise<void> {
    const accepted = await http('POST', `${p.contacts.publicUrl}/v1/imports`, {
      token: t.apiKey,
      headers: { 'content-type': 'text/csv' },
      raw: csvRows(emails, list),
    });
    expect(accepted.status).toBe(202);
    const report = await waitFor(
      async () => {
        const r = await api(t, p.contacts, 'GET', `/v1/imports/${accepted.body.id}`);
        return r.body.status === 'done' || r.body.status === 'failed' ? r.body : null;
      },
      { what: 'the import to end', timeoutMs: 60000, intervalMs: 200 },
    );
    expect(report).toMatchObject({ status: 'done', total: emails.length, created: emails.length, rejected: 0 });
    // The campaigns replicas learn of contacts through Kafka (contact.changed): the audience is there once projected.
    await waitFor(
      async () =>
        (
          await adminQuery<{ n: number }>(db, 'SELECT count(*)::int AS n FROM campaign_contacts WHERE tenant_id = $1', [
            t.tenant.id,
          ])
        )[0].n >= emails.length,
      { what: 'the campaigns projection of the imported contacts', timeoutMs: 60000, intervalMs: 200 },
    );
  }

  async function createCampaign(t: TestTenant, at: ServiceProcess, body: Record<string, unknown>): Promise<string> {
    const created = await api(t, at, 'POST', '/v1/campaigns', body);
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    return created.body.id;
  }

  const waitUntilSent = (t: TestTenant, at: ServiceProcess, id: string, timeoutMs: number) =>
    waitFor(async () => (await api(t, at, 'GET', `/v1/campaigns/${id}`)).body.status === 'sent', {
      what: `campaign ${id} to be sent`,
      timeoutMs,
      intervalMs: 250,
    });

  it(
    'R-T1, R-C6, R-S3, R-S4, R-K2, R-K3, R-K4, R-U1, R-U2, R-S7: tenant → import → campaign → open/click on both tracking replicas → one-click unsubscribe → report',
    () =>
      explained(async () => {
        // Support creates the tenant and its API key (support process, internal port).
        const t = await createTestTenant({ supportUrl: p.support.supportUrl }, { region: 'NA', name: 'Distributed' });

        // Contacts import (contacts process), projected into the campaigns replicas over Kafka.
        const emails = Array.from({ length: 5 }, (_, i) => `e2e-${i}-${uid}@example.com`);
        await importContacts(t, emails, 'news');

        // Created on one campaigns replica, sent from the other; the send workers of both share the queue.
        const campaignId = await createCampaign(t, p.campaignsA, {
          name: 'Distributed welcome',
          subject: 'Hello {{ firstName }}',
          fromEmail: 'news@shop.example',
          html: '<html><body><p>Hi {{ firstName }}</p><a href="https://shop.example/sale">Sale</a></body></html>',
          audience: { lists: ['news'] },
        });
        expect((await api(t, p.campaignsB, 'POST', `/v1/campaigns/${campaignId}/send`)).status).toBe(202);
        await waitUntilSent(t, p.campaignsA, campaignId, 60000);

        const mails = emails.map((email) => sink.list().filter((m) => m.to.includes(email)));
        expect(mails.map((m) => m.length)).toEqual([1, 1, 1, 1, 1]);
        const parsed = await Promise.all(
          mails.map(async ([m]) => ({ raw: m.raw, html: (await simpleParser(m.raw)).html as string })),
        );
        const linksOf = ({ raw, html }: { raw: string; html: string }) => {
          const listUnsubscribe = header(raw, 'List-Unsubscribe') ?? '';
          expect(listUnsubscribe).toMatch(/^<http:\/\/links\.missive\.test\/u\/[\w-]+>, <mailto:unsubscribe\+[\w-]+@/);
          expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
          return {
            pixel: /<img src="http:\/\/links\.missive\.test(\/t\/o\/[\w-]+)"/.exec(html)![1],
            click: /href="http:\/\/links\.missive\.test(\/t\/c\/[\w-]+)"/.exec(html)![1],
            unsubscribe: /^<http:\/\/links\.missive\.test(\/u\/[\w-]+)>/.exec(listUnsubscribe)![1],
          };
        };
        const links = parsed.map(linksOf);
        expect(new Set(mails.map(([m]) => header(m.raw, 'Message-ID'))).size).toBe(5);

        // Opens and clicks, spread over both tracking replicas (a browser's user agent: human hits).
        const hit = (at: ServiceProcess, path: string, userAgent = CHROME) =>
          fetch(`${at.publicUrl}${path}`, { headers: { 'user-agent': userAgent }, redirect: 'manual' });
        for (const [at, path] of [
          [p.trackingA, links[0].pixel],
          [p.trackingB, links[1].pixel],
          [p.trackingB, links[0].pixel],
        ] as const) {
          const pixel = await hit(at, path);
          expect(pixel.status).toBe(200);
          expect(pixel.headers.get('content-type')).toBe('image/gif');
          expect(pixel.headers.get('cache-control')).toContain('no-store');
        }
        expect((await hit(p.trackingA, links[3].pixel, 'Mozilla/5.0')).status).toBe(200); // Apple MPP: a machine open
        for (const [at, path] of [
          [p.trackingB, links[0].click],
          [p.trackingA, links[1].click],
        ] as const) {
          // The replica learns the campaign's links from Kafka (campaign.links-registered); a 404 records nothing.
          const click = await waitFor(
            async () => {
              const r = await hit(at, path);
              return r.status === 302 ? r : null;
            },
            { what: `the click redirect on ${at.name}`, timeoutMs: 30000, intervalMs: 250 },
          );
          expect(click.headers.get('location')).toBe('https://shop.example/sale');
        }
        expect((await hit(p.trackingA, '/t/c/forged-token')).status).toBe(404);

        // The unsubscribe page (GET changes nothing) answers once the unsubscribe process knows the contact.
        const page = await waitFor(
          async () => {
            const r = await http('GET', `${p.unsubscribe.publicUrl}${links[2].unsubscribe}`);
            return r.status === 200 ? r : null;
          },
          { what: 'the unsubscribe page', timeoutMs: 30000, intervalMs: 250 },
        );
        expect(page.text).toContain('e***@e***.com');
        expect(page.text).not.toContain(emails[2]);
        const oneClick = await http('POST', `${p.unsubscribe.publicUrl}${links[2].unsubscribe}`, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          raw: 'List-Unsubscribe=One-Click',
        });
        expect(oneClick.status).toBe(200);

        // The report, from either campaigns replica, once the hits and the opt-out went through Kafka.
        const expected = {
          sent: 5,
          failed: 0,
          bounced: 0,
          complained: 0,
          unknown: 0,
          skipped: {},
          // links[0]'s second open, on the other replica within the minute, is a replay and counts once (R-X6).
          opens: 2,
          uniqueOpens: 2,
          machineOpens: 1,
          clicks: 2,
          uniqueClicks: 2,
          unsubscribes: 1,
        };
        const report = async (at: ServiceProcess) =>
          (await api(t, at, 'GET', `/v1/campaigns/${campaignId}/report`)).body;
        await waitFor(async () => JSON.stringify(await report(p.campaignsB)) === JSON.stringify(expected), {
          what: 'the report to show the opens, clicks and unsubscribe',
          timeoutMs: 30000,
          intervalMs: 250,
        }).catch(async (error: Error) => {
          throw new Error(`${error.message}; last report ${JSON.stringify(await report(p.campaignsB))}`);
        });
        expect(await report(p.campaignsA)).toEqual(expected);
        // Another tenant sees none of it, on any process (R-T1).
        const other = await createTestTenant({ supportUrl: p.support.supportUrl }, { region: 'NA', name: 'Other' });
        expect((await api(other, p.campaignsB, 'GET', `/v1/campaigns/${campaignId}/report`)).status).toBe(404);
        expect(
          (await api(other, p.contacts, 'GET', `/v1/contacts?email=${encodeURIComponent(emails[0])}`)).status,
        ).toBe(404);

        // The opt-out reached the contacts process too, and the next campaign skips the address (R-U2).
        await waitFor(
          async () =>
            (await api(t, p.contacts, 'GET', `/v1/contacts?email=${encodeURIComponent(emails[2])}`)).body.status ===
            'unsubscribed',
          { what: 'the contact to show as unsubscribed', timeoutMs: 30000, intervalMs: 250 },
        );
        const next = await createCampaign(t, p.campaignsB, {
          name: 'Distributed follow-up',
          subject: 'Again',
          fromEmail: 'again@shop.example',
          html: '<p>Again</p>',
          audience: { lists: ['news'] },
        });
        expect((await api(t, p.campaignsA, 'POST', `/v1/campaigns/${next}/send`)).status).toBe(202);
        await waitUntilSent(t, p.campaignsB, next, 60000);
        expect((await api(t, p.campaignsA, 'GET', `/v1/campaigns/${next}/report`)).body).toMatchObject({
          sent: 4,
          unknown: 0,
          skipped: { unsubscribed: 1 },
        });
        const again = sink.list().filter((m) => (header(m.raw, 'From') ?? '').includes('again@shop.example'));
        expect(again.flatMap((m) => m.to).sort()).toEqual(emails.filter((_, i) => i !== 2).sort());
      }),
    120000,
  );

  it(
    'R-S6: one campaigns replica SIGKILLed mid-campaign → the other finishes it, 0 duplicates at the sink, sent + skipped + failed + bounced + unknown = audience, unknown ⊆ in flight at the kill',
    () =>
      explained(async () => {
        const t = await createTestTenant({ supportUrl: p.support.supportUrl }, { region: 'NA', name: 'Bulk' });
        const emails = Array.from({ length: AUDIENCE }, (_, i) => `bulk-${i}-${uid}@example.com`);
        await importContacts(t, emails, 'bulk');
        const [victim, survivor] = [p.campaignsB, p.campaignsA];
        const [victimBefore, survivorBefore] = [await sentBy(victim), await sentBy(survivor)];

        const campaignId = await createCampaign(t, survivor, {
          name: 'Distributed bulk',
          subject: 'Bulk {{ firstName }}',
          fromEmail: 'bulk@shop.example',
          html: '<p>Hello {{ firstName }}</p><a href="https://shop.example/bulk">Shop</a>',
          audience: { lists: ['bulk'] },
        });
        const fromBulk = () =>
          sink.list().filter((m: SunkMessage) => (header(m.raw, 'From') ?? '').includes('bulk@shop.example'));
        const sinkBefore = sink.total;
        expect((await api(t, victim, 'POST', `/v1/campaigns/${campaignId}/send`)).status).toBe(202);

        // Both replicas run send workers; kill one while the sink is receiving.
        await waitFor(() => sink.total - sinkBefore >= KILL_AFTER, {
          what: `${KILL_AFTER} messages at the sink`,
          timeoutMs: 60000,
          intervalMs: 20,
        });
        const victimAtKill = await sentBy(victim);
        await victim.kill();
        const survivorAtKill = await sentBy(survivor);
        const ledger = (state: string) =>
          adminQuery<{ contact_id: string }>(
            db,
            'SELECT contact_id FROM campaign_deliveries WHERE campaign_id = $1 AND state = $2',
            [campaignId, state],
          ).then((rows) => rows.map((r) => r.contact_id));
        // Claimed and not yet recorded at the kill: the killed replica's messages in flight (and the survivor's).
        const inFlightAtKill = new Set(await ledger('sending'));
        const pendingAfterKill = (await ledger('pending')).length;
        const atSinkAtKill = sink.total - sinkBefore;

        await waitUntilSent(t, survivor, campaignId, 120000);
        const report = (await api(t, survivor, 'GET', `/v1/campaigns/${campaignId}/report`)).body;
        const survivorAfter = await sentBy(survivor);
        const recipients = fromBulk().flatMap((m) => m.to);
        const duplicates = recipients.length - new Set(recipients).size;
        const messageIds = fromBulk().map((m) => header(m.raw, 'Message-ID'));
        const skipped = Object.values(report.skipped as Record<string, number>).reduce((a, n) => a + n, 0);
        const unknown = await ledger('unknown');
        const sentEmails = await adminQuery<{ email: string }>(
          db,
          `SELECT c.email FROM campaign_deliveries d JOIN campaign_contacts c ON c.contact_id = d.contact_id
         WHERE d.campaign_id = $1 AND d.state = 'sent'`,
          [campaignId],
        );
        process.stdout.write(
          `distributed R-S6: killed ${victim.name} with ${atSinkAtKill}/${AUDIENCE} at the sink ` +
            `(it had sent ${victimAtKill - victimBefore}), in flight ${inFlightAtKill.size}, pending ${pendingAfterKill}; ` +
            `${survivor.name} sent ${survivorAfter - survivorAtKill} after the kill; sink ${recipients.length} ` +
            `(duplicates ${duplicates}); report ${JSON.stringify(report)}\n`,
        );

        // The kill landed mid-campaign, on a replica that was sending it.
        expect(victim.alive).toBe(false);
        expect(victimAtKill - victimBefore).toBeGreaterThan(0);
        expect(pendingAfterKill).toBeGreaterThan(0);
        // The survivor finished: every message still pending after the kill went out from it, none twice.
        expect(survivorAfter - survivorAtKill).toBeGreaterThanOrEqual(pendingAfterKill);
        expect(survivorAfter - survivorBefore + (victimAtKill - victimBefore)).toBeLessThanOrEqual(report.sent);
        expect(duplicates).toBe(0);
        expect(new Set(messageIds).size).toBe(messageIds.length);
        expect(report.sent + skipped + report.failed + report.bounced + report.unknown).toBe(AUDIENCE);
        // What is unknown was in flight at the kill, and never resent (R-S6).
        expect(report.unknown).toBe(unknown.length);
        expect(unknown.every((id) => inFlightAtKill.has(id))).toBe(true);
        expect(report.unknown).toBeLessThanOrEqual(inFlightAtKill.size);
        // No silent loss: every recorded send is at the sink; anything else there is among the unknown.
        const atSink = new Set(recipients);
        expect(sentEmails.filter((r) => !atSink.has(r.email))).toEqual([]);
        expect(recipients.length).toBeGreaterThanOrEqual(report.sent);
        expect(recipients.length).toBeLessThanOrEqual(report.sent + report.unknown);
      }),
    180000,
  );
});
