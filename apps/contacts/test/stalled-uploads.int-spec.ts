import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { configWith } from '@missive/config';
import { Databases } from '@missive/database';
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
import { contactsService } from '../src/service';

/** Short server timeouts, so a stalled client is cut off within this test's time. */
const HEADERS_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 4000;
const UPLOADS = 12;
const IMPORT_QUOTA = 1_000_000;

interface StalledUpload {
  socket: Socket;
  /** What the server wrote back before it closed the connection. */
  ended: Promise<string>;
}

/** Sends the headers of a CSV upload and its first lines, then waits without sending the rest. */
function stalledUpload(baseUrl: string, apiKey: string): StalledUpload {
  const { port } = new URL(baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  const start = 'email\nstalled@example.com\n';
  socket.write(
    [
      'POST /v1/suppressions/imports HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      `Authorization: Bearer ${apiKey}`,
      'Content-Type: text/csv',
      'Content-Length: 100000',
      '',
      start,
    ].join('\r\n'),
  );
  const ended = new Promise<string>((resolve) => {
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => undefined);
  });
  return { socket, ended };
}

/** Application connections idle inside a transaction for over a second: a transaction waiting on someone. */
async function idleInTransaction(): Promise<number> {
  const [{ n }] = await adminQuery<{ n: number }>(
    'NA',
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE 'missive:%'
        AND state = 'idle in transaction' AND now() - state_change > interval '1 second'`,
  );
  return n;
}

describe('stalled uploads (R-X6)', () => {
  let services: TestServices;
  let attacker: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    services = await startTestServices([contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      TENANT_IMPORT_QUOTA_BYTES: String(IMPORT_QUOTA),
    });
    [attacker, other] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: other.apiKey,
      body: { email: 'reader@example.com', lawfulBasis: 'contract' },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await services?.stop();
  });

  it(`R-X6: ${UPLOADS} trickled suppression uploads hold no database connection; another tenant is served; they end in a timeout`, async () => {
    const uploads = Array.from({ length: UPLOADS }, () => stalledUpload(services.publicUrl, attacker.apiKey));
    try {
      const statuses: number[] = [];
      const slowest = { ms: 0 };
      const deadline = Date.now() + 2500;
      while (Date.now() < deadline) {
        const started = Date.now();
        const read = await http('GET', `${services.publicUrl}/v1/contacts?email=reader@example.com`, {
          token: other.apiKey,
        });
        slowest.ms = Math.max(slowest.ms, Date.now() - started);
        statuses.push(read.status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await idleInTransaction()).toBe(0);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(slowest.ms).toBeLessThan(1000);

      // The server ends each stalled upload by itself once the request timeout has passed: 408, connection closed.
      const answers = await Promise.race([
        Promise.all(uploads.map((u) => u.ended)),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), REQUEST_TIMEOUT_MS + 6000)),
      ]);
      expect(answers).not.toBeNull();
      for (const answer of answers!) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(await idleInTransaction()).toBe(0);
      // Their partly spooled files are gone with them.
      const folder = join(services.config.dataDir, 'na', attacker.tenant.id, 'imports');
      await waitFor(() => readdirSync(folder).length === 0, {
        what: 'the stalled uploads files removed',
        timeoutMs: 5000,
      });
      const [{ n }] = await adminQuery<{ n: number }>(
        'NA',
        'SELECT count(*)::int AS n FROM suppressions WHERE tenant_id = $1',
        [attacker.tenant.id],
      );
      expect(n).toBe(0);
    } finally {
      for (const u of uploads) u.socket.destroy();
    }
  }, 30000);

  it('R-X6: an import file that would pass the tenant quota gets a 413 naming it; the next one fits', async () => {
    const csv = `email\n${'q@example.com\n'.repeat(Math.ceil(IMPORT_QUOTA / 14))}`;
    for (const path of ['/v1/imports', '/v1/suppressions/imports']) {
      const refused = await http('POST', `${services.publicUrl}${path}`, {
        token: other.apiKey,
        headers: { 'content-type': 'text/csv' },
        raw: csv,
      });
      expect(refused.status).toBe(413);
      expect(refused.body.message).toContain(`${IMPORT_QUOTA} bytes`);
    }
    const fits = await http('POST', `${services.publicUrl}/v1/suppressions/imports`, {
      token: other.apiKey,
      headers: { 'content-type': 'text/csv' },
      raw: 'email\nfits@example.com\n',
    });
    expect(fits.status).toBe(200);
  });

  it('R-X6: application connections carry a statement timeout and end a transaction left idle', async () => {
    const databases = new Databases(
      configWith({ REGIONS: 'NA', DB_STATEMENT_TIMEOUT_MS: '1500', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000' }),
      { global: [], regional: [] },
    );
    await databases.connect();
    try {
      const na = databases.forRegion('NA');
      const [settings] = await na.query(
        `SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`,
      );
      expect(settings).toEqual({ statement: '1500ms', idle: '1s' });
      await expect(na.query('SELECT pg_sleep(3)')).rejects.toThrow(/statement timeout/);
      const abandoned = databases.withTenant('NA', '00000000-0000-0000-0000-000000000000', async (m) => {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        return m.query('SELECT 1');
      });
      // The server ended the session under it (TypeORM then reports its connection as released).
      await expect(abandoned).rejects.toThrow(/released|terminat/i);
      expect(await na.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await databases.close();
    }
  }, 20000);
});
