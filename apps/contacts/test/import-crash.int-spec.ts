import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';
import { CSV_HEADER, csvRow, waitForImport } from './import-helpers';

const ROOT = join(__dirname, '..', '..', '..');
// A Redis database of its own, so no other test file's worker can take this import.
// One queue namespace for every process of this test: the restarted worker must find the killed one's job.
const ENV = {
  SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
  REDIS_URL: 'redis://127.0.0.1:6379/7',
  QUEUE_NAMESPACE: `import-crash-${randomUUID().slice(0, 8)}`,
};
const ROWS = 150000;
const BAD_EVERY = 5000;

/** The SIGTERM test's own queue namespace: no worker of the SIGKILL test can take its import. */
const TERM_ENV = { ...ENV, QUEUE_NAMESPACE: `import-term-${randomUUID().slice(0, 8)}` };

function startChild(env: Record<string, string> = ENV): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'import-worker.child.ts'), JSON.stringify(env)],
    {
      // @swc-node/register reads ROOT/tsconfig.json (the path aliases) from the working directory.
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve({ child, url: ready[1] });
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited early (${code})`)));
  });
}

describe('R-C6: an import killed mid-file resumes on restart and ends with exact counts', () => {
  let support: TestServices;
  let restarted: TestServices | undefined;
  let resumed: TestServices | undefined;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    support = await startTestServices([supportService], ENV);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await restarted?.stop();
    await resumed?.stop();
    await support?.stop();
  });

  it('R-C6: SIGKILL during the import, restart, exact counts and no row or consent written twice', async () => {
    const tenant = await createTestTenant(support, { region: 'NA' });
    const rows = Array.from({ length: ROWS }, (_, i) =>
      i % BAD_EVERY === 0 ? csvRow(i, { email: `bad${i}` }) : csvRow(i),
    );
    const csv = `${CSV_HEADER}\n${rows.join('\n')}\n`;

    const first = await startChild();
    child = first.child;
    const accepted = await http('POST', `${first.url}/v1/imports`, {
      token: tenant.apiKey,
      headers: { 'content-type': 'text/csv' },
      raw: csv,
    });
    expect(accepted.status).toBe(202);
    const id = accepted.body.id;
    const progress = () =>
      adminQuery<{ status: string; total: number; created: number }>(
        'NA',
        `SELECT status, total, created FROM imports WHERE id = $1`,
        [id],
      ).then((r) => r[0]);
    const atKill = await waitFor(
      async () => {
        const p = await progress();
        return p.created > 0 ? p : null;
      },
      { intervalMs: 20, timeoutMs: 120000, what: 'a first committed batch' },
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
    const afterKill = await progress();
    expect(afterKill.status).toBe('running');
    expect(afterKill.total).toBeLessThan(ROWS);
    expect(atKill.created).toBeGreaterThan(0);

    // Any worker resumes it once the dead one's lock has expired.
    restarted = await startTestServices([contactsService], ENV);
    const report = await waitForImport(restarted, tenant, id, 180000);
    const bad = ROWS / BAD_EVERY;
    expect(report).toMatchObject({
      status: 'done',
      total: ROWS,
      created: ROWS - bad,
      updated: 0,
      unchanged: 0,
      rejected: bad,
      errorCount: bad,
    });
    expect(new Set(report.errors.map((e) => e.row)).size).toBe(bad);
    const counts = await adminQuery<{ contacts: number; consents: number }>(
      'NA',
      `SELECT (SELECT count(*)::int FROM contacts WHERE tenant_id = $1) AS contacts,
              (SELECT count(*)::int FROM consents WHERE tenant_id = $1) AS consents`,
      [tenant.tenant.id],
    );
    expect(counts[0]).toEqual({ contacts: ROWS - bad, consents: ROWS - bad });
  }, 360000);

  it('R-X4, R-C6: SIGTERM mid-import stops at a batch boundary, rolls back the batch being staged, and a restart finishes it exactly', async () => {
    const tenant = await createTestTenant(support, { region: 'NA' });
    const rows = Array.from({ length: ROWS }, (_, i) => csvRow(i, { email: `term${i}@example.com` }));
    const first = await startChild(TERM_ENV);
    child = first.child;
    const accepted = await http('POST', `${first.url}/v1/imports`, {
      token: tenant.apiKey,
      headers: { 'content-type': 'text/csv' },
      raw: `${CSV_HEADER}\n${rows.join('\n')}\n`,
    });
    expect(accepted.status).toBe(202);
    const id = accepted.body.id;
    const progress = () =>
      adminQuery<{ status: string; total: number; created: number }>(
        'NA',
        `SELECT status, total, created FROM imports WHERE id = $1`,
        [id],
      ).then((r) => r[0]);
    await waitFor(async () => ((await progress()).created > 0 ? true : null), {
      intervalMs: 20,
      timeoutMs: 120000,
      what: 'a first committed batch',
    });
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
    expect(code).toBe(0);
    const stopped = await progress();
    expect(stopped.status).toBe('running');
    expect(stopped.total).toBeLessThan(ROWS);
    // Nothing beyond the committed batches: the one being staged was rolled back, not half-written.
    const [{ n }] = await adminQuery<{ n: number }>(
      'NA',
      'SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1',
      [tenant.tenant.id],
    );
    expect(n).toBe(stopped.created);

    resumed = await startTestServices([contactsService], TERM_ENV);
    const report = await waitForImport(resumed, tenant, id, 180000);
    expect(report).toMatchObject({ status: 'done', total: ROWS, created: ROWS, updated: 0, unchanged: 0, rejected: 0 });
    const counts = await adminQuery<{ contacts: number; consents: number }>(
      'NA',
      `SELECT (SELECT count(*)::int FROM contacts WHERE tenant_id = $1) AS contacts,
              (SELECT count(*)::int FROM consents WHERE tenant_id = $1) AS consents`,
      [tenant.tenant.id],
    );
    expect(counts[0]).toEqual({ contacts: ROWS, consents: ROWS });
  }, 360000);
});
