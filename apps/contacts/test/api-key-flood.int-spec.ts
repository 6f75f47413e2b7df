import { connect } from 'node:net';
import { generateApiKey } from '@missive/tenancy';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { MAX_IMPORT_BYTES } from '../src/imports/import-files';
import { contactsService } from '../src/service';
import { MAX_SUPPRESSION_IMPORT_BYTES } from '../src/suppressions/suppression-imports.service';

const RANDOM_KEYS = 10000;
const CONCURRENCY = 50;

/** `missive_api_key_lookups_total` of the public listener's process, by result. */
async function keyLookups(services: TestServices): Promise<{ known: number; unknown: number }> {
  const text = (await http('GET', `${services.publicUrl}/metrics`)).text;
  const count = (result: string) =>
    Number(new RegExp(`^missive_api_key_lookups_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { known: count('known'), unknown: count('unknown') };
}

/** Sends only the request head (announcing `contentLength` bytes) and returns the status line of the answer. */
function headOnly(baseUrl: string, path: string, headers: Record<string, string>, contentLength: number) {
  const { port } = new URL(baseUrl);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to the head of POST ${path}`));
    }, 5000);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(answer.slice(0, answer.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
    const lines = Object.entries({ ...headers, 'Content-Length': String(contentLength) }).map(([k, v]) => `${k}: ${v}`);
    socket.write([`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...lines, '', ''].join('\r\n'));
  });
}

/** Runs `work` for each item, `CONCURRENCY` at a time. */
async function eachConcurrently<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

describe('API keys and body limits under attack (R-X6)', () => {
  let services: TestServices;
  let tenant: TestTenant;
  const contactByEmail = (key: string) =>
    http('GET', `${services.publicUrl}/v1/contacts?email=nobody@example.com`, { token: key });

  beforeAll(async () => {
    services = await startTestServices([contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      // The flood is many requests from one tenant-less client: the per-tenant rate limit is not what is tested.
      TENANT_RATE_LIMIT_PER_SECOND: '100000',
    });
    tenant = await createTestTenant(services, { region: 'NA' });
  });

  afterAll(async () => {
    await services?.stop();
  });

  it(`R-X6: ${RANDOM_KEYS} random well-formed keys cost one lookup each, sent again none; a real key needs no new lookup`, async () => {
    expect((await contactByEmail(tenant.apiKey)).status).toBe(404);
    const before = await keyLookups(services);
    const keys = Array.from({ length: RANDOM_KEYS }, () => generateApiKey());
    const statuses = new Map<number, number>();
    const send = async (key: string) => {
      const { status } = await contactByEmail(key);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    };
    await eachConcurrently(keys, send);
    // The real key was not pushed out by the flood: it is still answered from memory.
    expect((await contactByEmail(tenant.apiKey)).status).toBe(404);
    const first = await keyLookups(services);
    await eachConcurrently(keys, send);
    const second = await keyLookups(services);
    expect([...statuses]).toEqual([[401, 2 * RANDOM_KEYS]]);
    expect(first.unknown - before.unknown).toBe(RANDOM_KEYS);
    expect(first.known).toBe(before.known);
    expect(second).toEqual(first);
  }, 120000);

  it('R-X2, R-X6: a body over its route limit is refused from its content-length, before the key costs a lookup', async () => {
    const before = await keyLookups(services);
    const unknownKey = generateApiKey();
    const json = { Authorization: `Bearer ${unknownKey}`, 'Content-Type': 'application/json' };
    const csv = { Authorization: `Bearer ${unknownKey}`, 'Content-Type': 'text/csv' };
    // Only the head is sent: an answer proves the body was never waited for.
    expect(await headOnly(services.publicUrl, '/v1/contacts', json, 10 * 1024 * 1024)).toMatch(/ 413 /);
    expect(await headOnly(services.publicUrl, '/v1/imports', csv, MAX_IMPORT_BYTES + 1)).toMatch(/ 413 /);
    expect(
      await headOnly(services.publicUrl, '/v1/suppressions/imports', csv, MAX_SUPPRESSION_IMPORT_BYTES + 1),
    ).toMatch(/ 413 /);
    expect(await keyLookups(services)).toEqual(before);

    const refused = await http('POST', `${services.publicUrl}/v1/suppressions/imports`, {
      token: tenant.apiKey,
      headers: { 'content-type': 'text/csv' },
      raw: Buffer.alloc(MAX_SUPPRESSION_IMPORT_BYTES + 1, 'a'),
    });
    expect(refused.status).toBe(413);
    expect(refused.body).toEqual({
      error: 'payload_too_large',
      message: expect.stringContaining(`${MAX_SUPPRESSION_IMPORT_BYTES} bytes`),
      details: [],
    });
  });
});
