import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { supportService } from '../../support/src/service';

const ROOT = join(__dirname, '..', '..', '..');
const DAY = 24 * 3600 * 1000;
const CONTACTS = 60000;
const HITS = 60000;

function startChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'purge-worker.child.ts'), JSON.stringify(env)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('READY')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the purge process exited early (${code})`)));
  });
}

// Databases of its own: no other test file's sweeper can take this tenant's purge while the test kills its own.
describe('R-P3: a purge killed mid-way completes on restart, and its certificate counts every row once', () => {
  let scratch: ScratchDatabases;
  let support: TestServices;
  let env: Record<string, string>;
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    dataDir = mkdtempSync(join(tmpdir(), 'missive-purge-crash-'));
    env = {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      PURGE_SWEEP_INTERVAL_MS: '200',
      PURGE_BATCH_SIZE: '1000',
      DATA_DIR: dataDir,
    };
    support = await startTestServices([supportService], env);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await support?.stop();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('R-P3, R-P4: SIGKILL during the purge, restart, certificate equals the rows that existed, nothing left', async () => {
    const db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    const { tenant } = await createTestTenant(support, { region: 'NA' });
    await adminQuery(
      db,
      `INSERT INTO contacts (tenant_id, email, region, lawful_basis, consent)
       SELECT $1, 'p' || i || '@example.com', 'NA', 'consent', '{"givenAt":"2026-01-01T00:00:00Z","source":"crash"}'
         FROM generate_series(1, $2::int) AS i`,
      [tenant.id, CONTACTS],
    );
    await adminQuery(
      db,
      `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, machine)
       SELECT gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), 'open', now(), false
         FROM generate_series(1, $2::int)`,
      [tenant.id, HITS],
    );
    const count = async (table: string) =>
      (
        await adminQuery<{ n: number }>(db, `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenant.id])
      )[0].n;
    const before = {
      contacts: await count('contacts'),
      consents: await count('consents'),
      hits: await count('tracking_hits'),
    };
    expect(before).toEqual({ contacts: CONTACTS, consents: CONTACTS, hits: HITS });

    const terminated = await http('POST', `${support.supportUrl}/internal/v1/tenants/${tenant.id}/termination`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'purge crash test' },
      body: { terminatedAt: new Date(Date.now() - 15 * DAY).toISOString(), confirmImmediatePurge: true },
    });
    expect(terminated.status).toBe(200);

    child = await startChild(env);
    const progressed = () =>
      adminQuery<{ n: number }>(
        db,
        `SELECT coalesce(sum(deleted), 0)::int AS n FROM purge_progress WHERE tenant_id = $1`,
        [tenant.id],
      ).then((r) => r[0].n);
    await waitFor(async () => (await progressed()) >= 5000, {
      timeoutMs: 60000,
      intervalMs: 20,
      what: 'purge progress',
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const deletedAtKill = await progressed();
    const left = (await count('contacts')) + (await count('consents')) + (await count('tracking_hits'));
    // Killed mid-way: some rows gone, some still there, and the bookkeeping agrees with the tables exactly.
    expect(left).toBeGreaterThan(0);
    expect(deletedAtKill + left).toBe(before.contacts + before.consents + before.hits);
    const [purge] = await adminQuery<{ completed_at: Date | null }>(
      { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL },
      'SELECT completed_at FROM tenant_purges WHERE tenant_id = $1',
      [tenant.id],
    );
    expect(purge.completed_at).toBeNull();

    child = await startChild(env);
    const certificate = await waitFor(
      async () => {
        const res = await http('GET', `${support.supportUrl}/internal/v1/tenants/${tenant.id}/purge-certificate`, {
          token: TEST_BOOTSTRAP_TOKEN,
          headers: { 'x-justification': 'purge crash test' },
        });
        return res.status === 200 ? res.body : null;
      },
      { timeoutMs: 60000, what: 'the certificate after the restart' },
    );
    expect(certificate.deleted['postgres.na.contacts']).toBe(before.contacts);
    expect(certificate.deleted['postgres.na.consents']).toBe(before.consents);
    expect(certificate.deleted['postgres.na.tracking_hits']).toBe(before.hits);
    expect((await count('contacts')) + (await count('consents')) + (await count('tracking_hits'))).toBe(0);
    expect(await adminQuery(db, 'SELECT 1 FROM purge_progress WHERE tenant_id = $1', [tenant.id])).toHaveLength(0);
  });
});
