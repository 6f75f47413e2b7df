import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  anchorSignatureValid,
  auditEntryHash,
  AuditKeyring,
  GENESIS_HASH,
  legacyAuditEntryHash,
  type AuditAnchor,
  type ChainedAuditEntry,
} from '@missive/tenancy';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type ScratchDatabases,
  type TestServices,
} from '@missive/testing';
import { contactsService } from '../../contacts/src/service';
import { privacyService } from '../../privacy/src/service';
import { AuditAnchorJob } from '../src/audit/audit-anchor.job';
import { supportService } from '../src/service';

const DAY = 24 * 3600 * 1000;
const ANCHOR_MS = 1000;
/** Entries written before the keyed chain: plain SHA-256, key_id NULL (what a database migrated today holds). */
const LEGACY_ENTRIES = 3;

interface Row {
  id: string;
  at: Date;
  actor: string;
  action: string;
  tenant_id: string | null;
  cross_region: boolean;
  details: Record<string, unknown>;
  key_id: string | null;
  prev_hash: string;
  hash: string;
}

const toEntry = (r: Row): ChainedAuditEntry => ({
  id: r.id,
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  tenantId: r.tenant_id,
  crossRegion: r.cross_region,
  details: r.details,
  keyId: r.key_id,
  prevHash: r.prev_hash,
  hash: r.hash,
});

describe('R-A3: the keyed, anchored audit chain', () => {
  // Databases of its own: tampering with the shared chain would break every other run's verify.
  let scratch: ScratchDatabases;
  let services: TestServices;
  let globalDb: { url: string };
  let keyring: AuditKeyring;

  const staff = (method: string, path: string, body?: unknown) =>
    http(method, `${services.supportUrl}${path}`, { token: TEST_BOOTSTRAP_TOKEN, body });
  const verify = async () => {
    const res = await staff('GET', '/internal/v1/audit/verify');
    expect(res.status).toBe(200);
    return res.body;
  };
  const rows = () =>
    adminQuery<Row>(
      globalDb,
      `SELECT id::text AS id, at, actor, action, tenant_id, cross_region, details, key_id, prev_hash, hash
         FROM audit_log ORDER BY audit_log.id`,
    );
  const anchors = () =>
    adminQuery<{ kind: string; seq: string; hash: string; at: Date; key_id: string; signature: string }>(
      globalDb,
      'SELECT kind, seq::text AS seq, hash, at, key_id, signature FROM audit_anchors ORDER BY id',
    );
  /** As a superuser who disables the triggers: the only way past the append-only rule. */
  const asSuperuser = async (work: (client: Client) => Promise<void>) => {
    const client = new Client({ connectionString: globalDb.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await work(client);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  };
  /** Anchors the head now (the job's own run), then keeps a copy of the chain to put back after tampering. */
  const anchorAndBackUp = async () => {
    await staff('GET', '/internal/v1/audit?limit=1');
    const outcome = await services.supportApp!.get(AuditAnchorJob, { strict: false }).runOnce();
    // Written now, or just before by the job's own timer ('fresh'): either way the head is anchored.
    expect(outcome?.written || outcome?.reason === 'fresh').toBe(true);
    expect((await anchors()).at(-1)!.seq).toBe((await rows()).at(-1)!.id);
    await adminQuery(
      globalDb,
      `DROP TABLE IF EXISTS audit_backup; CREATE TABLE audit_backup AS SELECT * FROM audit_log;
       DROP TABLE IF EXISTS anchors_backup; CREATE TABLE anchors_backup AS SELECT * FROM audit_anchors`,
    );
  };
  /** Puts back the chain and its anchors: the job's own timer may have anchored the tampered head meanwhile. */
  const restore = async () => {
    await asSuperuser(async (c) => {
      await c.query('DELETE FROM audit_log');
      await c.query('INSERT INTO audit_log SELECT * FROM audit_backup');
      await c.query('DELETE FROM audit_anchors');
      await c.query('INSERT INTO audit_anchors SELECT * FROM anchors_backup');
    });
    expect(await verify()).toMatchObject({ ok: true });
  };
  const rewrite = (entries: ChainedAuditEntry[]) =>
    asSuperuser(async (c) => {
      for (const e of entries) {
        await c.query('UPDATE audit_log SET details = $2, key_id = $3, prev_hash = $4, hash = $5 WHERE id = $1', [
          e.id,
          JSON.stringify(e.details),
          e.keyId,
          e.prevHash,
          e.hash,
        ]);
      }
    });

  beforeAll(async () => {
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    globalDb = { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL };
    // A chain as the unkeyed code left it, before the services (and their first anchor) start.
    let prev = GENESIS_HASH;
    for (let i = 1; i <= LEGACY_ENTRIES; i++) {
      const entry = {
        id: String(i),
        at: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(),
        actor: 'staff:bootstrap',
        action: 'tenant.created',
        tenantId: null,
        crossRegion: false,
        details: { n: i },
      };
      const hash = legacyAuditEntryHash(prev, entry);
      await adminQuery(
        globalDb,
        `INSERT INTO audit_log (id, at, actor, action, tenant_id, cross_region, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, NULL, false, $5::jsonb, $6, $7)`,
        [entry.id, entry.at, entry.actor, entry.action, JSON.stringify(entry.details), prev, hash],
      );
      prev = hash;
    }
    await adminQuery(globalDb, `SELECT setval('audit_log_id_seq', ${LEGACY_ENTRIES})`);
    services = await startTestServices([supportService, contactsService, privacyService], {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      AUDIT_ANCHOR_INTERVAL_MS: String(ANCHOR_MS),
      PURGE_SWEEP_INTERVAL_MS: '300',
    });
    keyring = new AuditKeyring(services.config.audit.chainKeys);
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await scratch?.drop();
  }, 60000);

  it('R-A3: entries written before the keyed chain still verify: the first anchor is a signed cut-over at their head', async () => {
    const [cutOver] = await waitFor(async () => ((await anchors()).length > 0 ? await anchors() : null), {
      what: 'the cut-over anchor',
    });
    const legacy = (await rows()).slice(0, LEGACY_ENTRIES);
    expect(cutOver).toMatchObject({ kind: 'cut-over', seq: String(LEGACY_ENTRIES), hash: legacy[2].hash });
    expect(legacy.every((r) => r.key_id === null)).toBe(true);
    await staff('GET', '/internal/v1/audit?limit=1');
    const keyed = (await rows()).slice(LEGACY_ENTRIES);
    expect(keyed.length).toBeGreaterThan(0);
    expect(keyed.every((r) => r.key_id === 'dev1')).toBe(true);
    expect(keyed[0].prev_hash).toBe(legacy[2].hash);
    expect(await verify()).toMatchObject({ ok: true, entries: expect.any(Number) });
  });

  it('R-A3: the job signs the head into audit_anchors every AUDIT_ANCHOR_INTERVAL_MS, outside the audit table', async () => {
    for (let i = 0; i < 3; i++) await staff('GET', '/internal/v1/audit?limit=1');
    const head = (await rows()).at(-1)!;
    const anchor = await waitFor(
      async () => (await anchors()).find((a) => a.kind === 'scheduled' && BigInt(a.seq) >= BigInt(head.id)),
      { timeoutMs: 4 * ANCHOR_MS, what: 'a scheduled anchor covering the head' },
    );
    expect(anchor.key_id).toBe('dev1');
    expect(anchor.signature).toMatch(/^[0-9a-f]{64}$/);
    const signed: AuditAnchor = {
      seq: anchor.seq,
      hash: anchor.hash,
      at: anchor.at.toISOString(),
      keyId: anchor.key_id,
      signature: anchor.signature,
    };
    expect(anchorSignatureValid(keyring, signed)).toBe(true);
    expect(anchorSignatureValid(keyring, { ...signed, hash: head.prev_hash })).toBe(false);
    expect((await rows()).find((r) => r.id === anchor.seq)?.hash).toBe(anchor.hash);
    // The table is append-only, like the log.
    await expect(adminQuery(globalDb, 'DELETE FROM audit_anchors')).rejects.toThrow(/append-only/);
    const verified = await verify();
    expect(verified).toMatchObject({ ok: true, lastAnchor: { seq: expect.any(Number), at: expect.any(String) } });
  });

  it('R-A3: removing a suppression is audited with the API key and tenant, the address only as a keyed hash', async () => {
    const { tenant, apiKey, apiKeyId } = await createTestTenant(services, { region: 'EEA' });
    const email = `removed-${randomUUID().slice(0, 8)}@example.com`;
    const added = await http('POST', `${services.publicUrl}/v1/suppressions`, { token: apiKey, body: { email } });
    expect(added.status).toBe(201);
    const removed = await http('DELETE', `${services.publicUrl}/v1/suppressions/${encodeURIComponent(email)}`, {
      token: apiKey,
    });
    expect(removed.status).toBe(204);
    const missing = await http('DELETE', `${services.publicUrl}/v1/suppressions/nobody%40example.com`, {
      token: apiKey,
    });
    expect(missing.status).toBe(404);

    const entries = (await staff('GET', `/internal/v1/audit?tenantId=${tenant.id}&limit=100`)).body.entries as {
      actor: string;
      action: string;
      tenantId: string;
      details: Record<string, unknown>;
    }[];
    const removals = entries.filter((e) => e.action === 'suppression.removed');
    expect(removals).toEqual([
      expect.objectContaining({
        actor: `api-key:${apiKeyId}`,
        tenantId: tenant.id,
        details: { addressHash: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'manual', contactId: null },
      }),
    ]);
    const stored = await adminQuery(globalDb, `SELECT 1 FROM audit_log WHERE position($1 in details::text) > 0`, [
      email.split('@')[0],
    ]);
    expect(stored).toEqual([]);
  });

  it('R-A3, R-P4: every purge certificate carries the signed head; verify checks it too', async () => {
    const { tenant } = await createTestTenant(services, { region: 'EEA' });
    const terminated = await staff('POST', `/internal/v1/tenants/${tenant.id}/termination`, {
      terminatedAt: new Date(Date.now() - 20 * DAY).toISOString(),
      confirmImmediatePurge: true,
    });
    expect(terminated.status).toBe(200);
    const certificate = await waitFor(
      async () => {
        const res = await staff('GET', `/internal/v1/tenants/${tenant.id}/purge-certificate`);
        return res.status === 200 ? res.body : null;
      },
      { timeoutMs: 30000, what: 'the purge certificate' },
    );
    const head = certificate.auditHead as AuditAnchor;
    expect(head).toEqual({
      seq: expect.any(String),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      at: certificate.completedAt,
      keyId: 'dev1',
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(anchorSignatureValid(keyring, head)).toBe(true);
    const entry = (await rows()).find((r) => r.id === head.seq)!;
    expect(entry).toMatchObject({ action: 'tenant.purged', tenant_id: tenant.id, hash: head.hash });
    expect(await verify()).toMatchObject({ ok: true });

    // A certificate head that no longer matches its signature is reported at its entry.
    const forged = { ...head, hash: 'f'.repeat(64) };
    await adminQuery(globalDb, 'UPDATE tenant_purges SET audit_head = $2::jsonb WHERE tenant_id = $1', [
      tenant.id,
      JSON.stringify(forged),
    ]);
    expect(await verify()).toEqual({ ok: false, brokenAt: Number(head.seq), reason: 'anchor-signature' });
    await adminQuery(globalDb, 'UPDATE tenant_purges SET audit_head = $2::jsonb WHERE tenant_id = $1', [
      tenant.id,
      JSON.stringify(head),
    ]);
    expect(await verify()).toMatchObject({ ok: true });
  }, 45000);

  it('R-A3: deleting the newest entries after an anchor is detected, even once new entries follow', async () => {
    for (let i = 0; i < 4; i++) await staff('GET', '/internal/v1/audit?limit=1');
    await anchorAndBackUp();
    const all = await rows();
    const kept = all.at(-4)!;
    await asSuperuser(async (c) => {
      await c.query('DELETE FROM audit_log WHERE id > $1', [kept.id]);
    });
    const [{ seq: firstAnchoredGone }] = await adminQuery<{ seq: string }>(
      globalDb,
      'SELECT min(seq)::text AS seq FROM audit_anchors WHERE seq > $1',
      [kept.id],
    );
    // The verify call itself appends an entry linked to the survivors: the links hold, the anchors do not.
    expect(await verify()).toEqual({ ok: false, brokenAt: Number(firstAnchoredGone), reason: 'truncated' });
    expect(await verify()).toEqual({ ok: false, brokenAt: Number(firstAnchoredGone), reason: 'truncated' });
    // Nor does the job anchor over the gap.
    const job = services.supportApp!.get(AuditAnchorJob, { strict: false });
    expect(await job.runOnce()).toMatchObject({ written: false, reason: 'broken', because: 'truncated' });
    await restore();
  });

  it('R-A3: one entry rewritten and the whole chain rehashed with plain SHA-256 is detected', async () => {
    await anchorAndBackUp();
    const all = (await rows()).map(toEntry);
    const target = all.findIndex((e) => e.action === 'suppression.removed');
    expect(target).toBeGreaterThan(LEGACY_ENTRIES);
    all[target] = { ...all[target], details: { note: 'nothing to see' } };
    let prev = GENESIS_HASH;
    const forged = all.map((e) => {
      // Passed off as entries of the unkeyed chain, the only hash one can compute without the key.
      const hash = legacyAuditEntryHash(prev, e);
      const out = { ...e, keyId: null, prevHash: prev, hash };
      prev = hash;
      return out;
    });
    await rewrite(forged);
    expect(await verify()).toEqual({ ok: false, brokenAt: LEGACY_ENTRIES + 1, reason: 'hash' });
    await restore();
  });

  it('R-A3: one entry rewritten and the chain rehashed with HMAC under another key is detected', async () => {
    await anchorAndBackUp();
    const other = new AuditKeyring([{ kid: 'dev1', secret: 'an-attacker-guess-of-the-key-0123456789' }]);
    const all = (await rows()).map(toEntry);
    const target = all.findIndex((e) => e.action === 'tenant.purged');
    all[target] = { ...all[target], details: { deleted: {} } };
    let prev = all[LEGACY_ENTRIES - 1].hash;
    const forged = all.slice(LEGACY_ENTRIES).map((e) => {
      const hash = auditEntryHash(other, 'dev1', prev, e)!;
      const out = { ...e, prevHash: prev, hash };
      prev = hash;
      return out;
    });
    await rewrite(forged);
    expect(await verify()).toEqual({ ok: false, brokenAt: LEGACY_ENTRIES + 1, reason: 'hash' });
    await restore();
  });

  it('R-A3: the unkeyed entries before the cut-over rewritten and rehashed are detected at the cut-over anchor', async () => {
    await anchorAndBackUp();
    const legacy = (await rows()).slice(0, LEGACY_ENTRIES).map(toEntry);
    legacy[0] = { ...legacy[0], details: { n: 'someone else' } };
    let prev = GENESIS_HASH;
    const forged = legacy.map((e) => {
      const hash = legacyAuditEntryHash(prev, e);
      const out = { ...e, prevHash: prev, hash };
      prev = hash;
      return out;
    });
    await rewrite(forged);
    expect(await verify()).toEqual({ ok: false, brokenAt: LEGACY_ENTRIES, reason: 'anchor-mismatch' });
    await restore();
  });
});
