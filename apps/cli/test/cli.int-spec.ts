import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  createScratchDatabases,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type ScratchDatabases,
  type TestServices,
} from '@missive/testing';
import { contactsService } from '../../contacts/src/service';
import { privacyService } from '../../privacy/src/service';
import { supportService } from '../../support/src/service';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'missive.js');
const DAY = 24 * 3600 * 1000;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON output
  json: () => any;
}

describe('missive admin CLI against the running services (issue 10)', () => {
  let services: TestServices;
  let scratch: ScratchDatabases;
  let dir: string;

  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          cwd: tmpdir(),
          env: {
            ...process.env,
            MISSIVE_SUPPORT_URL: services.supportUrl,
            MISSIVE_API_URL: services.publicUrl,
            MISSIVE_STAFF_TOKEN: TEST_BOOTSTRAP_TOKEN,
            ...env,
          },
        },
        (error, stdout, stderr) => {
          const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
          resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) });
        },
      );
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'missive-cli-'));
    // Databases of its own: `audit verify` must answer for a chain only this file writes to.
    scratch = await createScratchDatabases(randomUUID().slice(0, 8));
    services = await startTestServices([supportService, contactsService, privacyService], {
      ...scratch.env,
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      DATA_DIR: dir,
      PURGE_SWEEP_INTERVAL_MS: '300',
    });
  });

  afterAll(async () => {
    await services?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a tenant, issues a key and imports a CSV with progress to the end (--json for scripts)', async () => {
    const created = await cli(['--json', 'tenants', 'create', '--name', 'CLI Co', '--region', 'EEA']);
    expect(created.code).toBe(0);
    const tenant = created.json();
    expect(tenant).toMatchObject({ name: 'CLI Co', region: 'EEA', status: 'active' });

    const issued = await cli(['--json', 'keys', 'issue', tenant.id]);
    expect(issued.code).toBe(0);
    const { key } = issued.json();
    expect(key).toMatch(/^mk_/);

    const file = join(dir, 'contacts.csv');
    const rows = Array.from({ length: 300 }, (_, i) => `cli${i}@example.com,contract`);
    writeFileSync(file, ['email,lawfulBasis', ...rows, 'not-an-email,contract'].join('\n') + '\n');
    const imported = await cli(['--json', '--api-key', key, 'import', file, '--poll-ms', '100']);
    expect(imported.code).toBe(0);
    expect(imported.json()).toMatchObject({ status: 'done', total: 301, created: 300, rejected: 1 });
  });

  it('R-P1, R-P5: terminate, purge status, reactivate; a typo-sized date is refused with the API message', async () => {
    const tenant = (await cli(['--json', 'tenants', 'create', '--name', 'Ending Co', '--region', 'EEA'])).json();
    const refused = await cli([
      'tenants',
      'terminate',
      tenant.id,
      '--at',
      new Date(Date.now() - 400 * DAY).toISOString(),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/409 immediate_purge_unconfirmed/);

    const at = new Date(Date.now() + 2 * DAY).toISOString();
    expect((await cli(['tenants', 'terminate', tenant.id, '--at', at, '--reason', 'contract ends'])).code).toBe(0);
    const status = await cli(['--json', 'purge', 'status', tenant.id]);
    expect(status.json()).toMatchObject({ status: 'active', terminatedAt: at, legalHold: null });
    expect(new Date(status.json().purgeDueAt).getTime()).toBe(new Date(at).getTime() + 14 * DAY);
    const human = await cli(['purge', 'status', tenant.id]);
    expect(human.stdout).toContain(`purgeDueAt: ${status.json().purgeDueAt}`);
    expect((await cli(['--json', 'tenants', 'reactivate', tenant.id])).json().status).toBe('active');
    expect((await cli(['purge', 'certificate', tenant.id])).code).toBe(1);
  });

  it('R-P2, R-P4: a confirmed past termination is purged; purge status shows the certificate', async () => {
    const tenant = (await cli(['--json', 'tenants', 'create', '--name', 'Gone Co', '--region', 'EEA'])).json();
    const at = new Date(Date.now() - 20 * DAY).toISOString();
    const terminated = await cli(['tenants', 'terminate', tenant.id, '--at', at, '--confirm-immediate-purge']);
    expect(terminated.code).toBe(0);
    const purged = await waitFor(
      async () => {
        const status = (await cli(['--json', 'purge', 'status', tenant.id])).json();
        return status.status === 'purged' ? status : null;
      },
      { timeoutMs: 30000, intervalMs: 300, what: 'the purge' },
    );
    expect(purged.certificate).toMatchObject({ tenantId: tenant.id, deleted: expect.any(Object) });
    const certificate = await cli(['--json', 'purge', 'certificate', tenant.id]);
    expect(certificate.json()).toEqual(purged.certificate);
  });

  it('R-A3: audit verify answers ok for a chain with lifecycle and purge entries', async () => {
    const verified = await cli(['--json', 'audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.json()).toMatchObject({ ok: true });
  });

  it('clear errors and exit codes: unknown tenant 1, usage 2, unreachable 3', async () => {
    const unknown = await cli(['tenants', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404/);
    expect((await cli(['tenants', 'create', '--name', 'x', '--region', 'MARS'])).code).toBe(2);
    const noToken = await cli(['tenants', 'show', 'x'], { MISSIVE_STAFF_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/staff token is needed/);
    const down = await cli(['--support-url', 'http://127.0.0.1:1', 'audit', 'verify']);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1/);
    expect((await cli(['import', '/no/such/file.csv'], { MISSIVE_API_KEY: 'mk_x' })).code).toBe(2);
  });
});
