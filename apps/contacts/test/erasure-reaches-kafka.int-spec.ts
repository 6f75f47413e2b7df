import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CONTACT_ERASED, contactStatesOf, type EventEnvelope } from '@missive/contracts';
import { appendToOutbox, kafkaConnection } from '@missive/kafka';
import { generateApiKey, hashSecret } from '@missive/tenancy';
import { TenantKeys } from '@missive/tenant-keys';
import { adminQuery, http, startTestServices, waitFor, type TestServices, type TestTenant } from '@missive/testing';
import { trackingService } from '../../tracking/src/service';
import { CHROME, LINK_TOKEN_KEYS, openToken } from '../../tracking/test/tracking-fixtures';
import { contactsService } from '../src/service';
import { CSV_HEADER, csvRow, importFile } from './import-helpers';

/** Every event of the region's topics, from the oldest retained offset to the ends as they are now. */
async function readRegionFromTheStart(services: TestServices, tenantId: string) {
  const kafka = new Kafka({
    clientId: 'test-erasure',
    ...kafkaConnection(services.config, 'NA'),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('na.'));
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (Number(p.high) > Number(p.low)) ends.set(`${topic}:${p.partition}`, Number(p.high));
    }
  }
  await admin.disconnect();
  const events: (EventEnvelope & { topic: string; raw: string })[] = [];
  const consumer = kafka.consumer({ groupId: `test-erasure-${randomUUID()}` });
  const left = new Set(ends.keys());
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const raw = message.value?.toString() ?? '';
      // Other tests' events are skipped unparsed; only this tenant's are kept.
      if (raw.includes(tenantId)) {
        const envelope = JSON.parse(raw) as EventEnvelope;
        if (envelope.tenantId === tenantId) events.push({ ...envelope, topic, raw });
      }
      if (Number(message.offset) + 1 >= (ends.get(`${topic}:${partition}`) ?? 0)) left.delete(`${topic}:${partition}`);
    },
  });
  await waitFor(() => left.size === 0, { what: 'every regional topic read from the start', timeoutMs: 40000 });
  await consumer.disconnect();
  return { topics, events };
}

/**
 * R-D1 (erasure reaches Kafka at once) end to end over the real broker and databases: contacts made by the API and
 * by an import, opened through the link host, then one erased. Reading every regional topic from the start with a
 * fresh consumer and a fresh key store (another process), not one personal field of the erased person opens, while
 * everyone else's still do.
 */
describe('erasure reaches Kafka at once (R-D1, crypto-shredding with per-contact keys)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-erasure-kafka-'));
  let services: TestServices;
  let na: TestTenant;

  beforeAll(async () => {
    services = await startTestServices([contactsService, trackingService], { LINK_TOKEN_KEYS, DATA_DIR: dataDir });
    // The tenant and its API key written into the directory as support writes them (R-X1: the key stored hashed).
    const tenantId: string = randomUUID();
    na = {
      tenant: { id: tenantId, name: 'erasure test', region: 'NA', status: 'active' },
      apiKey: generateApiKey(),
      apiKeyId: randomUUID(),
    };
    await adminQuery('global', `INSERT INTO tenants (id, name, region) VALUES ($1, 'erasure test', 'NA')`, [tenantId]);
    await adminQuery('global', 'INSERT INTO api_keys (id, tenant_id, key_hash) VALUES ($1, $2, $3)', [
      na.apiKeyId,
      tenantId,
      hashSecret(na.apiKey),
    ]);
  }, 60000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const create = async (email: string, firstName: string) => {
    const res = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: { email, firstName, lawfulBasis: 'contract' },
    });
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };
  const idOf = async (email: string) =>
    (
      await adminQuery<{ id: string }>('NA', 'SELECT id FROM contacts WHERE tenant_id = $1 AND email = $2', [
        na.tenant.id,
        email,
      ])
    )[0].id;
  /** Opens the contact's pixel and waits until tracking stored the hit; returns what it stored. */
  const openPixel = async (contactId: string) => {
    const campaignId = randomUUID();
    const response = await fetch(`${services.publicUrl}/t/o/${openToken(na.tenant.id, campaignId, contactId)}`, {
      headers: { 'user-agent': CHROME },
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    return waitFor(
      async () =>
        (
          await adminQuery<{ ip_truncated: string | null; user_agent: string | null }>(
            'NA',
            'SELECT ip_truncated, user_agent FROM tracking_hits WHERE tenant_id = $1 AND campaign_id = $2',
            [na.tenant.id, campaignId],
          )
        )[0] ?? null,
      { what: 'the hit to be stored', timeoutMs: 30000 },
    );
  };

  it('R-D1, R-K4: after an erasure no topic holds a personal field of the person that still opens; others still open', async () => {
    const tag = randomUUID().slice(0, 8);
    const email = (name: string) => `${name}-${tag}@example.com`;
    // Ada and Bob by the API; the import changes Ada and brings Erin and Dave.
    const ada = await create(email('ada'), 'Ada');
    const bob = await create(email('bob'), 'Bob');
    const rows = [
      csvRow(1, { email: email('ada'), firstName: 'Adaline' }),
      csvRow(2, { email: email('erin'), firstName: 'Erin' }),
      csvRow(3, { email: email('dave'), firstName: 'Dave' }),
    ];
    expect(await importFile(services, na, `${CSV_HEADER}\n${rows.join('\n')}\n`)).toMatchObject({
      created: 2,
      updated: 1,
    });
    const erin = await idOf(email('erin'));
    const dave = await idOf(email('dave'));

    // R-K4: the hits of contacts with keys store the /24 and the user agent, opened from the sealed event.
    for (const contactId of [ada, bob, dave]) {
      expect(await openPixel(contactId)).toEqual({ ip_truncated: '127.0.0.0', user_agent: CHROME });
    }

    // Ada and Dave (one from the API, one from the import) are erased.
    for (const contactId of [ada, dave]) {
      const erased = await http('DELETE', `${services.publicUrl}/v1/contacts/${contactId}`, { token: na.apiKey });
      expect(erased.status).toBe(204);
    }
    // The erasing process forgot the keys at once.
    expect(services.platform.tenantKeys.cachedContactKey(na.tenant.id, ada)).not.toBeInstanceOf(Buffer);
    expect(services.platform.tenantKeys.cachedContactKey(na.tenant.id, dave)).not.toBeInstanceOf(Buffer);

    // Read once the relay has sent the erasures too (the last events of the tenant).
    let read = await readRegionFromTheStart(services, na.tenant.id);
    for (let i = 0; i < 20 && read.events.filter((e) => e.type === 'contact.erased').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 500));
      read = await readRegionFromTheStart(services, na.tenant.id);
    }
    const { topics, events } = read;
    expect(topics).toEqual(expect.arrayContaining(['na.contact.changed', 'na.tracking.hit']));

    // Every personal field of every event of the tenant, with the contact it belongs to.
    const fields: { topic: string; contactId: string; sealed: unknown; clear: boolean }[] = [];
    for (const e of events) {
      const data = e.data as Record<string, unknown>;
      if (e.type === 'contact.changed') {
        for (const { state, personalIndex } of contactStatesOf(e)) {
          const personal = data.personal;
          const sealed = personalIndex === null || !Array.isArray(personal) ? personal : personal[personalIndex];
          fields.push({ topic: e.topic, contactId: state.contactId, sealed, clear: false });
        }
      } else if (e.type === 'tracking.hit') {
        // v1 carried the IP and user agent in clear: as good as a field that opens.
        const clear = typeof data.ipTruncated === 'string' || typeof data.userAgent === 'string';
        fields.push({ topic: e.topic, contactId: data.contactId as string, sealed: data.personal, clear });
      }
    }
    // A fresh key store, as another process would have: nothing cached.
    const keys = new TenantKeys(services.config, services.platform.databases);
    const opens = async (f: (typeof fields)[number]) =>
      f.clear || (typeof f.sealed === 'string' && (await keys.open('NA', na.tenant.id, f.sealed)) !== null);
    const summary: Record<string, { opened: number; closed: number }> = {};
    for (const f of fields) {
      const who = f.contactId === ada ? 'ada' : f.contactId === dave ? 'dave' : f.contactId === bob ? 'bob' : 'erin';
      const slot = (summary[`${who} ${f.topic}`] ??= { opened: 0, closed: 0 });
      if (await opens(f)) slot.opened++;
      else slot.closed++;
    }
    // Ada: her v2 event (the API's create), her import entry and her hit; Dave: his import entry and his hit. None
    // opens. Bob's v2 event and hit, and Erin's import entry, all do.
    expect(summary).toEqual({
      'ada na.contact.changed': { opened: 0, closed: 2 },
      'ada na.tracking.hit': { opened: 0, closed: 1 },
      'bob na.contact.changed': { opened: 1, closed: 0 },
      'bob na.tracking.hit': { opened: 1, closed: 0 },
      'dave na.contact.changed': { opened: 0, closed: 1 },
      'dave na.tracking.hit': { opened: 0, closed: 1 },
      'erin na.contact.changed': { opened: 1, closed: 0 },
    });
    // Nothing of anyone in clear either: no address, no /24, no user agent in any event of the tenant.
    for (const e of events)
      expect([e.topic, /@example\.com|127\.0\.0\.0|Chrome\//.test(e.raw)]).toEqual([e.topic, false]);

    // Why they do not open: the contact's key was destroyed ("erased"), not a damaged box.
    const adaFields = fields.filter((f) => f.contactId === ada && typeof f.sealed === 'string');
    for (const f of adaFields) {
      expect(await keys.unseal('NA', na.tenant.id, f.sealed as string)).toEqual({ ok: false, reason: 'erased' });
    }
    const bobV2 = fields.find((f) => f.contactId === bob && f.topic === 'na.contact.changed')!;
    expect(await keys.open('NA', na.tenant.id, bobV2.sealed as string)).toMatchObject({ email: email('bob') });
    expect(await adminQuery('NA', 'SELECT contact_id FROM contact_keys WHERE tenant_id = $1', [na.tenant.id])).toEqual(
      expect.arrayContaining([{ contact_id: bob }, { contact_id: erin }]),
    );
    expect(
      await adminQuery('NA', 'SELECT 1 FROM contact_keys WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])', [
        na.tenant.id,
        [ada, dave],
      ]),
    ).toEqual([]);
  }, 60000);

  it('R-D1: an erasure made by another process evicts the contact key from this one through contact.erased', async () => {
    const contactId = await create(`eve-${randomUUID().slice(0, 8)}@example.com`, 'Eve');
    const tenant = { id: na.tenant.id, region: 'NA' as const };
    const here = services.platform.tenantKeys;
    expect(await here.contactKeys('NA', tenant.id, [contactId])).toHaveProperty('size', 1);
    expect(here.cachedContactKey(tenant.id, contactId)).toBeInstanceOf(Buffer);
    // The other process: its own key store destroys the key and publishes contact.erased through the outbox.
    const other = new TenantKeys(services.config, services.platform.databases);
    const erasedAt = Date.now();
    await services.platform.databases.withTenant('NA', tenant.id, async (m) => {
      await other.destroyContactKey(m, tenant.id, contactId);
      await appendToOutbox(m, [
        { type: CONTACT_ERASED, region: 'NA', tenantId: tenant.id, key: contactId, data: { contactId } },
      ]);
    });
    await waitFor(() => !(here.cachedContactKey(tenant.id, contactId) instanceof Buffer), {
      what: 'the cached key to be evicted',
      timeoutMs: 10000,
      intervalMs: 10,
    });
    // Well under the 60 s bound of the cache itself.
    expect(Date.now() - erasedAt).toBeLessThan(10000);
  });
});
