import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '@missive/config';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { CONTACT_COLUMNS, validateContactInput } from '@missive/contact-domain';
import { CONTACT_UPSERT_CONFLICT } from '../apps/contacts/src/contacts/contacts.repository';
import { copyLine } from '../apps/contacts/src/imports/copy-text';
import { contactsService } from '../apps/contacts/src/service';
import { supportService } from '../apps/support/src/service';

/** Rows of the generated files (1,000,000 by default: about 85 MB of CSV). */
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);

const HEADER =
  'email,firstName,lastName,lawfulBasis,consent.givenAt,consent.source,birthDate,lists,tags,attributes.plan';
const BASES = ['contract', 'legitimate_interests', 'consent'];

/** One contact; a third of them on `consent`, with a consent record (so the history is written too). */
function contact(i: number) {
  const basis = BASES[i % 3];
  return {
    email: `user${i}@bench-${i % 97}.example.com`,
    firstName: `First${i % 5000}`,
    lastName: `Lastname${i % 7919}`,
    lawfulBasis: basis,
    consent: basis === 'consent' ? { givenAt: '2025-02-03T04:05:06Z', source: 'signup' } : undefined,
    birthDate: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
    lists: ['newsletter', i % 2 ? 'offers' : 'events'],
    tags: [`t${i % 10}`],
    attributes: { plan: i % 4 ? 'basic' : 'pro' },
  };
}

function csvLine(i: number): string {
  const c = contact(i);
  return [
    c.email,
    c.firstName,
    c.lastName,
    c.lawfulBasis,
    c.consent?.givenAt ?? '',
    c.consent?.source ?? '',
    c.birthDate,
    c.lists.join(';'),
    c.tags.join(';'),
    c.attributes.plan,
  ].join(',');
}

async function writeLines(path: string, first: string | null, line: (i: number) => string): Promise<number> {
  async function* lines() {
    if (first) yield `${first}\n`;
    let chunk: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      chunk.push(line(i));
      if (chunk.length === 10000) {
        yield `${chunk.join('\n')}\n`;
        chunk = [];
      }
    }
    if (chunk.length) yield `${chunk.join('\n')}\n`;
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
  return (await stat(path)).size;
}

/** Samples this process's RSS (the services run in it) until stopped; returns the peak in MB. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
    },
  };
}

/**
 * POSTs the file as the body, piped from disk with the socket's backpressure, so the client side holds a few
 * chunks at a time: this process also hosts the services, and its RSS is the one measured.
 */
async function upload(
  url: string,
  apiKey: string,
  type: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const { size } = await stat(path);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': type, 'content-length': String(size) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    pipeline(createReadStream(path), req).catch(reject);
  });
}

async function importThroughApi(
  services: TestServices,
  tenant: TestTenant,
  path: string,
  type: string,
): Promise<{ seconds: number; report: Record<string, number> }> {
  const started = process.hrtime.bigint();
  const response = await upload(`${services.publicUrl}/v1/imports`, tenant.apiKey, type, path);
  if (response.status !== 202) throw new Error(`import refused: ${response.status} ${response.body}`);
  const { id } = JSON.parse(response.body) as { id: string };
  const report = await waitFor(
    async () => {
      const res = await http('GET', `${services.publicUrl}/v1/imports/${id}`, { token: tenant.apiKey });
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
    },
    { timeoutMs: 30 * 60 * 1000, intervalMs: 50, what: 'the import to end' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (report.status !== 'done' || report.created !== ROWS) {
    throw new Error(
      `import ended ${report.status}: ${JSON.stringify({ ...report, errors: report.errors.slice(0, 3) })}`,
    );
  }
  return { seconds, report };
}

/**
 * The database's own floor for the same work, in the same run: COPY of the same rows (as the importer's COPY
 * text) into a staging table, then ONE `INSERT … ON CONFLICT (tenant_id, email)` into a table with the contacts
 * table's indexes; and, for reference, a raw COPY into an unindexed table.
 */
async function databaseFloor(copyPath: string): Promise<{ floor: number; rawCopy: number }> {
  const client = new Client({ connectionString: loadConfig().databases.adminRegional.NA });
  await client.connect();
  const table = `bench_contacts_${randomUUID().slice(0, 8)}`;
  try {
    await client.query(
      `CREATE TABLE ${table} (LIKE contacts INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`,
    );
    const tenantId = randomUUID();
    await client.query(`CREATE TABLE ${table}_raw (LIKE contacts INCLUDING DEFAULTS)`);
    await client.query(`ALTER TABLE ${table}_raw ALTER tenant_id SET DEFAULT '${tenantId}'`);
    const staging = `email text, first_name text, last_name text, phone text, locale text, region text,
      lawful_basis text, consent jsonb, tracking_consent boolean, birth_date date, attributes jsonb, lists text[],
      tags text[]`;
    const columns = CONTACT_COLUMNS.join(', ');

    let started = process.hrtime.bigint();
    await client.query('BEGIN');
    await client.query(`CREATE TEMPORARY TABLE floor_staging (${staging}) ON COMMIT DROP`);
    await pipeline(createReadStream(copyPath), client.query(copyFrom('COPY floor_staging FROM STDIN')));
    await client.query(
      `INSERT INTO ${table} AS c (tenant_id, ${columns}) SELECT '${tenantId}', ${columns} FROM floor_staging
       ${CONTACT_UPSERT_CONFLICT.replace(/EXCLUDED\.status = 'suppressed' AND c\.status = 'active'/g, 'false')}`,
    );
    await client.query('COMMIT');
    const floor = ROWS / (Number(process.hrtime.bigint() - started) / 1e9);

    started = process.hrtime.bigint();
    await pipeline(createReadStream(copyPath), client.query(copyFrom(`COPY ${table}_raw (${columns}) FROM STDIN`)));
    const rawCopy = ROWS / (Number(process.hrtime.bigint() - started) / 1e9);
    return { floor, rawCopy };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}, ${table}_raw`);
    await client.end();
  }
}

/** `npm run bench import`: a 1M-row CSV and NDJSON imported end to end through the HTTP API, and the floor. */
export async function runImportBench(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'missive-import-bench-'));
  const csvPath = join(dir, 'contacts.csv');
  const ndjsonPath = join(dir, 'contacts.ndjson');
  const copyPath = join(dir, 'contacts.copy');
  const csvBytes = await writeLines(csvPath, HEADER, csvLine);
  await writeLines(ndjsonPath, null, (i) => JSON.stringify(contact(i)));
  const tenantFacts = { region: 'NA' as const, transferSafeguard: null };
  await writeLines(copyPath, null, (i) => {
    const result = validateContactInput(contact(i), tenantFacts);
    if (!result.ok) throw new Error(`bench row ${i} is invalid: ${JSON.stringify(result.errors)}`);
    return copyLine(result.contact);
  });

  const services = await startTestServices([contactsService, supportService], {
    SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    // A Redis database of its own: the import queue is per region, not per test namespace, so another process's
    // contacts worker (a parallel test run) could otherwise take the bench's import and time itself instead.
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/6',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  try {
    const baselineRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
    const sampler = rssSampler();
    const csv = await importThroughApi(
      services,
      await createTestTenant(services, { region: 'NA' }),
      csvPath,
      'text/csv',
    );
    const ndjson = await importThroughApi(
      services,
      await createTestTenant(services, { region: 'NA' }),
      ndjsonPath,
      'application/x-ndjson',
    );
    const peakRssMb = sampler.stop();
    const { floor, rawCopy } = await databaseFloor(copyPath);
    const csvRate = ROWS / csv.seconds;
    const ndjsonRate = ROWS / ndjson.seconds;
    return {
      rows: ROWS,
      csvMegabytes: Math.round(csvBytes / 1024 / 1024),
      csvRowsPerSecond: Math.round(csvRate),
      ndjsonRowsPerSecond: Math.round(ndjsonRate),
      floorRowsPerSecond: Math.round(floor),
      rawCopyRowsPerSecond: Math.round(rawCopy),
      csvToFloorRatio: Math.round((csvRate / floor) * 100) / 100,
      ndjsonToFloorRatio: Math.round((ndjsonRate / floor) * 100) / 100,
      peakRssMegabytes: peakRssMb,
      baselineRssMegabytes: baselineRssMb,
    };
  } finally {
    await services.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runImportBench().then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
