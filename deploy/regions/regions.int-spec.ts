import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { REGIONS, type Region } from '@missive/contracts';
import { adminQuery, createTestTenant, http, TEST_BOOTSTRAP_TOKEN, waitFor, type TestTenant } from '@missive/testing';
import type { ServiceProcess } from '../distributed/service-processes';
import { RegionTopology } from './region-topology';
import { brokerDump, filesBelow, redisDump, redisKeysContaining, tablesContaining } from './store-scan';

/**
 * The per-region deployment end to end (issue 26; R-T2, R-P7, R-X2): two regions, each with its own broker (TLS and
 * SASL/SCRAM), Redis, database, SMTP relay and data folder, its services started with REGIONS=<region> and told
 * only of its own stores; support once for both. Ports 19400–19412 (brokers, their controllers and inter-broker
 * listeners) and 19420–19421 (Redis) are this file's own.
 */
const PORTS = { NA: { kafka: 19400, redis: 19420 }, EEA: { kafka: 19410, redis: 19421 } };
const LINKS = 'http://links.regions.test';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const CONTACTS = 12;
/** The campaign whose replica is killed: long enough at SEND_RATE that the kill lands mid-way. */
const BULK = 1500;
const SEND_RATE = 300;
const KILL_AFTER = 300;
const DAY = 24 * 3600 * 1000;

/** RFC 5322 unfolding, then one header's value. */
function header(raw: string, name: string): string | null {
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(raw.replace(/\r?\n(?=[ \t])/g, ''));
  return match ? match[1].trim() : null;
}

describe('per-region deployment: two regions, their own brokers (TLS + SCRAM), Redis, databases and relays (R-T2, R-P7)', () => {
  const uid = randomUUID().slice(0, 8);
  const topology = new RegionTopology({
    uid,
    ports: PORTS,
    secure: true,
    sendRatePerSecond: SEND_RATE,
    linksBaseUrl: LINKS,
  });
  let support: ServiceProcess;
  const hosts = {} as Record<Region, ServiceProcess>;
  const campaigns = {} as Record<Region, ServiceProcess[]>;
  const tenants = {} as Record<Region, TestTenant>;
  /** A marker in every address of a region, to find that region's personal data in any store. */
  const marker = (region: Region) => `${region.toLowerCase()}x${uid}`;
  const email = (region: Region, i: number) => `p${i}.${marker(region)}@example.com`;

  const explained = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      (error as Error).message += `\n\nservice processes:\n${topology.fleet.tails()}`;
      throw error;
    }
  };
  const staff = (method: string, path: string, body?: unknown) =>
    http(method, `${support.supportUrl}/internal/v1${path}`, {
      token: TEST_BOOTSTRAP_TOKEN,
      body,
      headers: { 'x-justification': 'per-region deployment test' },
    });
  const api = (t: TestTenant, at: ServiceProcess, method: string, path: string, body?: unknown) =>
    http(method, `${at.publicUrl}${path}`, { token: t.apiKey, body });
  const db = (region: Region) => ({ url: topology.databaseUrl(region) });
  const projected = (region: Region, tenantId: string) =>
    adminQuery<{ n: number }>(db(region), 'SELECT count(*)::int AS n FROM campaign_contacts WHERE tenant_id = $1', [
      tenantId,
    ]).then((rows) => rows[0].n);

  beforeAll(
    () =>
      explained(async () => {
        const t0 = Date.now();
        await topology.startStores();
        const t1 = Date.now();
        const started = await topology.startProcesses([
          topology.supportSpec(),
          topology.hostSpec('NA'),
          topology.hostSpec('EEA'),
          topology.campaignsSpec('NA', 'a'),
          topology.campaignsSpec('NA', 'b'),
          topology.campaignsSpec('EEA', 'a'),
        ]);
        [support, hosts.NA, hosts.EEA] = started;
        campaigns.NA = [started[3], started[4]];
        campaigns.EEA = [started[5]];
        process.stdout.write(
          `regions: stores (2 TLS brokers, 2 Redis, 3 databases) in ${((t1 - t0) / 1000).toFixed(1)} s; ` +
            `${started.length} processes ready in ${((Date.now() - t1) / 1000).toFixed(1)} s\n`,
        );
      }),
    300000,
  );

  afterAll(() => topology.stop(), 120000);

  it(
    'R-T2, R-U2, R-K2: each region sends, tracks and unsubscribes through its own stores; a revoked key is refused in its region within 1 s',
    () =>
      explained(async () => {
        for (const region of REGIONS) {
          const t = await createTestTenant({ supportUrl: support.supportUrl }, { region, name: `Regions ${region}` });
          tenants[region] = t;
          for (let i = 0; i < CONTACTS; i++) {
            const created = await api(t, hosts[region], 'POST', '/v1/contacts', {
              email: email(region, i),
              firstName: `P${i}`,
              lawfulBasis: 'consent',
              consent: { givenAt: '2026-01-01T00:00:00Z', source: 'web' },
              trackingConsent: true,
              lists: ['news'],
            });
            expect([region, created.status]).toEqual([region, 201]);
          }
          await waitFor(async () => (await projected(region, t.tenant.id)) >= CONTACTS, {
            what: `the ${region} campaigns projection`,
            timeoutMs: 60000,
            intervalMs: 200,
          });
          const [sender] = campaigns[region];
          const created = await api(t, sender, 'POST', '/v1/campaigns', {
            name: `Hello ${region}`,
            subject: 'Hello {{ firstName }}',
            fromEmail: `news@${region.toLowerCase()}.shop.example`,
            html: '<p>Hi {{ firstName }}</p><a href="https://shop.example/sale">Sale</a>',
            audience: { lists: ['news'] },
          });
          expect(created.status).toBe(201);
          const campaignId = created.body.id as string;
          expect((await api(t, sender, 'POST', `/v1/campaigns/${campaignId}/send`)).status).toBe(202);
          await waitFor(
            async () => (await api(t, sender, 'GET', `/v1/campaigns/${campaignId}`)).body.status === 'sent',
            {
              what: `the ${region} campaign to be sent`,
              timeoutMs: 60000,
              intervalMs: 250,
            },
          );

          // Its relay got every message; the other region's relay none (R-T2: the relay is a regional store).
          const other = REGIONS.find((r) => r !== region)!;
          const mine = topology.sinks[region].list().filter((m) => m.to.some((to) => to.includes(marker(region))));
          expect(mine).toHaveLength(CONTACTS);
          expect(topology.sinks[other].list().filter((m) => m.to.some((to) => to.includes(marker(region))))).toEqual(
            [],
          );

          // An open and a one-click unsubscribe, on the region's link host.
          const [first, second] = await Promise.all(mine.slice(0, 2).map((m) => simpleParser(m.raw)));
          const pixel = /<img src="http:\/\/links\.regions\.test(\/t\/o\/[\w-]+)"/.exec(first.html as string)![1];
          const open = await fetch(`${hosts[region].publicUrl}${pixel}`, { headers: { 'user-agent': CHROME } });
          expect(open.status).toBe(200);
          const unsubscribe = /^<http:\/\/links\.regions\.test(\/u\/[\w-]+)>/.exec(
            header(mine[1].raw, 'List-Unsubscribe') ?? '',
          )![1];
          expect(second.to).toBeDefined();
          await waitFor(async () => (await http('GET', `${hosts[region].publicUrl}${unsubscribe}`)).status === 200, {
            what: `the ${region} unsubscribe page`,
            timeoutMs: 30000,
            intervalMs: 250,
          });
          const oneClick = await http('POST', `${hosts[region].publicUrl}${unsubscribe}`, {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            raw: 'List-Unsubscribe=One-Click',
          });
          expect(oneClick.status).toBe(200);
          await waitFor(
            async () => {
              const report = (await api(t, sender, 'GET', `/v1/campaigns/${campaignId}/report`)).body;
              return report.sent === CONTACTS && report.opens >= 1 && report.unsubscribes === 1;
            },
            { what: `the ${region} report to count the open and the unsubscribe`, timeoutMs: 30000, intervalMs: 250 },
          );

          // A second key, revoked through support: refused in its region within a second (R-X1, R-A2).
          const key = await staff('POST', `/tenants/${t.tenant.id}/api-keys`);
          expect(key.status).toBe(201);
          const withKey = () =>
            http('GET', `${hosts[region].publicUrl}/v1/contacts?email=${encodeURIComponent(email(region, 0))}`, {
              token: key.body.key,
            }).then((r) => r.status);
          expect(await withKey()).toBe(200);
          const revokedAt = Date.now();
          expect((await staff('DELETE', `/tenants/${t.tenant.id}/api-keys/${key.body.id}`)).status).toBe(204);
          await waitFor(async () => (await withKey()) === 401, {
            what: `the revoked ${region} key to be refused`,
            timeoutMs: 5000,
            intervalMs: 25,
          });
          const refusedAfter = Date.now() - revokedAt;
          process.stdout.write(`regions: ${region} key refused ${refusedAfter} ms after its revocation\n`);
          expect(refusedAfter).toBeLessThan(1000);
        }
      }),
    240000,
  );

  it(
    'R-A2, R-T2: an incident recorded through an NA-only support process reaches each tenant in its own region',
    () =>
      explained(async () => {
        // Support deployed per region (as in the Kubernetes overlays): this one knows only the NA stores.
        const [naSupport] = await topology.startProcesses([
          {
            service: 'support',
            name: `na-support-${uid}`,
            env: topology.regionEnv('NA', { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN }),
          },
        ]);
        const summary = `incident ${uid}`;
        const recorded = await http('POST', `${naSupport.supportUrl}/internal/v1/incidents`, {
          token: TEST_BOOTSTRAP_TOKEN,
          headers: { 'x-justification': 'per-region deployment test' }, // names an NA tenant (R-A1)
          body: {
            tenantIds: REGIONS.map((r) => tenants[r].tenant.id),
            summary,
            detectedAt: new Date().toISOString(),
          },
        });
        expect(recorded.status).toBe(201);
        for (const region of REGIONS) {
          await waitFor(
            async () => {
              const res = await http('GET', `${support.publicUrl}/v1/notices`, { token: tenants[region].apiKey });
              return JSON.stringify(res.body).includes(summary);
            },
            { what: `the ${region} tenant's incident notice`, timeoutMs: 10000, intervalMs: 100 },
          );
          expect(await tablesContaining(topology.databaseUrl(region), summary)).toEqual(['notices: 1']);
        }
        await naSupport.stop();
      }),
    120000,
  );

  it(
    'R-T2: no store of one region holds the other region’s personal data or events (databases, Redis, brokers, files)',
    () =>
      explained(async () => {
        for (const region of REGIONS) {
          const other = REGIONS.find((r) => r !== region)!;
          const otherTenant = tenants[other].tenant.id;
          // The scan can find what is there: the region's own addresses are in its database.
          expect(await tablesContaining(topology.databaseUrl(region), marker(region))).toContain(
            `contacts: ${CONTACTS}`,
          );
          expect(await tablesContaining(topology.databaseUrl(region), marker(other))).toEqual([]);
          expect(await tablesContaining(topology.databaseUrl(region), otherTenant)).toEqual([]);

          const redis = await redisDump(topology.redisUrl(region));
          expect(redisKeysContaining(redis, tenants[region].tenant.id).length).toBeGreaterThan(0);
          expect(redisKeysContaining(redis, marker(other))).toEqual([]);
          expect(redisKeysContaining(redis, otherTenant)).toEqual([]);

          const messages = await brokerDump(topology.kafka(region));
          expect(messages.some((m) => m.text.includes(tenants[region].tenant.id))).toBe(true);
          expect(messages.filter((m) => m.text.includes(otherTenant)).map((m) => m.topic)).toEqual([]);
          expect(messages.filter((m) => m.text.includes(marker(other))).map((m) => m.topic)).toEqual([]);
          expect(messages.filter((m) => !m.topic.startsWith(`${region.toLowerCase()}.`)).map((m) => m.topic)).toEqual(
            [],
          );
          expect(filesBelow(topology.dataDirs[region]).filter((f) => f.includes(otherTenant))).toEqual([]);
        }
        // The global directory holds no contact personal data of either region.
        for (const region of REGIONS)
          expect(await tablesContaining(topology.databaseUrl('global'), marker(region))).toEqual([]);
      }),
    120000,
  );

  it(
    'R-S6: a region’s campaigns replica SIGKILLed mid-campaign → its other replica finishes, 0 duplicates at that region’s relay',
    () =>
      explained(async () => {
        const t = tenants.NA;
        const [victim, survivor] = campaigns.NA;
        const csv =
          'email,firstName,lawfulBasis,consent.givenAt,consent.source,lists\n' +
          Array.from(
            { length: BULK },
            (_, i) => `b${i}.${marker('NA')}@example.com,B${i},consent,2026-01-01T00:00:00Z,web,bulk`,
          ).join('\n') +
          '\n';
        const accepted = await http('POST', `${hosts.NA.publicUrl}/v1/imports`, {
          token: t.apiKey,
          headers: { 'content-type': 'text/csv' },
          raw: csv,
        });
        expect(accepted.status).toBe(202);
        await waitFor(
          async () => (await api(t, hosts.NA, 'GET', `/v1/imports/${accepted.body.id}`)).body.status === 'done',
          {
            what: 'the bulk import',
            timeoutMs: 60000,
            intervalMs: 250,
          },
        );
        await waitFor(async () => (await projected('NA', t.tenant.id)) >= CONTACTS + BULK, {
          what: 'the bulk contacts in the NA campaigns projection',
          timeoutMs: 60000,
          intervalMs: 250,
        });
        const created = await api(t, survivor, 'POST', '/v1/campaigns', {
          name: 'Bulk',
          subject: 'Bulk {{ firstName }}',
          fromEmail: 'bulk@na.shop.example',
          html: '<p>Hello {{ firstName }}</p>',
          audience: { lists: ['bulk'] },
        });
        expect(created.status).toBe(201);
        const sink = topology.sinks.NA;
        const before = sink.total;
        expect((await api(t, victim, 'POST', `/v1/campaigns/${created.body.id}/send`)).status).toBe(202);
        await waitFor(() => sink.total - before >= KILL_AFTER, {
          what: `${KILL_AFTER} bulk messages at the NA relay`,
          timeoutMs: 60000,
          intervalMs: 20,
        });
        await victim.kill();
        const atKill = sink.total - before;
        await waitFor(
          async () => (await api(t, survivor, 'GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent',
          { what: 'the survivor to finish the bulk campaign', timeoutMs: 120000, intervalMs: 250 },
        );
        const report = (await api(t, survivor, 'GET', `/v1/campaigns/${created.body.id}/report`)).body;
        const recipients = sink
          .list()
          .filter((m) => (header(m.raw, 'From') ?? '').includes('bulk@na.shop.example'))
          .flatMap((m) => m.to);
        process.stdout.write(
          `regions R-S6: killed ${victim.name} with ${atKill}/${BULK} at the NA relay; ${recipients.length} there at the end; report ${JSON.stringify(report)}\n`,
        );
        expect(atKill).toBeLessThan(BULK);
        expect(recipients.length - new Set(recipients).size).toBe(0);
        expect(report.sent + report.unknown).toBe(BULK);
        expect(recipients.length).toBeGreaterThanOrEqual(report.sent);
        expect(
          topology.sinks.EEA.list().filter((m) => (header(m.raw, 'From') ?? '').includes('bulk@na.shop.example')),
        ).toEqual([]);
      }),
    240000,
  );

  it(
    'R-P7, R-P3: the NA privacy worker down → the NA purge goes overdue on /metrics while the EEA one completes; NA back → purged; certificates equal the rows, nothing left',
    () =>
      explained(async () => {
        // Row counts per table, taken before the purge, to compare with each certificate.
        const rowsBefore = {} as Record<Region, Record<string, number>>;
        for (const region of REGIONS) {
          const id = tenants[region].tenant.id;
          const tables = await adminQuery<{ table_name: string }>(
            db(region),
            `SELECT table_name FROM information_schema.columns
              WHERE table_schema = 'public' AND column_name = 'tenant_id' AND table_name NOT IN ('purge_progress', 'tenant_keys')`,
          );
          rowsBefore[region] = {};
          for (const { table_name } of tables) {
            const [{ n }] = await adminQuery<{ n: number }>(
              db(region),
              `SELECT count(*)::int AS n FROM "${table_name}" WHERE tenant_id = $1`,
              [id],
            );
            rowsBefore[region][table_name] = n;
          }
          expect(rowsBefore[region].contacts).toBeGreaterThanOrEqual(CONTACTS);
        }

        // The NA privacy worker stops (with the rest of the NA host); campaigns' NA replica stays up and scrapes.
        await hosts.NA.stop();
        const dueTwoHoursAgo = new Date(Date.now() - 14 * DAY - 2 * 3600 * 1000).toISOString();
        for (const region of REGIONS) {
          const terminated = await staff('POST', `/tenants/${tenants[region].tenant.id}/termination`, {
            terminatedAt: dueTwoHoursAgo,
            confirmImmediatePurge: true,
            reason: 'per-region deployment test',
          });
          expect(terminated.status).toBe(200);
        }
        const certificateOf = (region: Region) =>
          waitFor(
            async () => {
              const res = await staff('GET', `/tenants/${tenants[region].tenant.id}/purge-certificate`);
              return res.status === 200 ? res.body : null;
            },
            { what: `the ${region} purge certificate`, timeoutMs: 60000, intervalMs: 250 },
          );
        const checkCertificate = async (region: Region, certificate: { deleted: Record<string, number> }) => {
          const prefix = `.${region.toLowerCase()}`;
          expect(Object.keys(certificate.deleted).filter((store) => !store.includes(prefix))).toEqual([]);
          for (const [table, n] of Object.entries(rowsBefore[region])) {
            expect([table, certificate.deleted[`postgres${prefix}.${table}`]]).toEqual([table, n]);
          }
          const id = tenants[region].tenant.id;
          expect(await tablesContaining(topology.databaseUrl(region), id)).toEqual([]);
          expect(await tablesContaining(topology.databaseUrl(region), marker(region))).toEqual([]);
          expect(redisKeysContaining(await redisDump(topology.redisUrl(region)), id)).toEqual([]);
          expect(filesBelow(topology.dataDirs[region]).filter((f) => f.includes(id))).toEqual([]);
        };

        const eea = await certificateOf('EEA');
        await checkCertificate('EEA', eea);

        // NA: nothing certified, the purge overdue on the NA metrics, the tenant's data still in place.
        const overdue = async () => {
          const text = await (await fetch(`${campaigns.NA[1].publicUrl}/metrics`)).text();
          const line = text
            .split('\n')
            .find((l) => l.startsWith('missive_tenant_purges_overdue{region="NA",legal_hold="false"}'));
          return Number(line?.split(' ').pop() ?? 0);
        };
        await waitFor(async () => (await overdue()) === 1, { what: 'the NA purge to show overdue', timeoutMs: 15000 });
        expect((await staff('GET', `/tenants/${tenants.NA.tenant.id}/purge-certificate`)).status).toBe(404);
        expect((await staff('GET', `/tenants/${tenants.NA.tenant.id}`)).body.status).toBe('terminated');
        expect(await tablesContaining(topology.databaseUrl('NA'), marker('NA'))).not.toEqual([]);

        // The NA worker back: it purges its tenant; the overdue gauge returns to 0.
        [hosts.NA] = await topology.startProcesses([{ ...topology.hostSpec('NA'), name: `na-host-again-${uid}` }]);
        const na = await certificateOf('NA');
        await checkCertificate('NA', na);
        await waitFor(async () => (await overdue()) === 0, { what: 'the NA overdue gauge to clear', timeoutMs: 15000 });
        // Topics keep the tenants' old events, sealed with keys the purge destroyed (R-P2).
        for (const region of REGIONS) {
          expect(
            await adminQuery(db(region), 'SELECT 1 FROM tenant_keys WHERE tenant_id = $1', [tenants[region].tenant.id]),
          ).toEqual([]);
        }
      }),
    240000,
  );
});
