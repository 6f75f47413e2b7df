import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseAllDocuments } from 'yaml';
import { transformFileSync } from '@swc/core';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '@missive/config';
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
import { CONTACT_COLUMNS, validateContactInput } from '@missive/contact-domain';
import { CONTACT_UPSERT_CONFLICT } from '../apps/contacts/src/contacts/contacts.repository';
import { copyLine } from '../apps/contacts/src/imports/copy-text';
import { supportService } from '../apps/support/src/service';
import { cpuSeconds, stopChild } from './processes';

/** Rows of the generated files (1,000,000 by default: about 110 MB of CSV). */
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
/** A folder for a CPU profile of the contacts process (`--cpu-prof`), written when the bench stops it. */
const CPU_PROFILE_DIR = process.env.BENCH_IMPORT_CPU_PROF;
/**
 * The contacts process's V8 heap flags, as deployed: those of the contacts Deployment's command
 * (deploy/k8s/base/contacts.yaml, which says why), or BENCH_IMPORT_HEAP_FLAGS (space-separated; `none` for node's
 * defaults) to compare others.
 */
function heapFlags(): string[] {
  const chosen = process.env.BENCH_IMPORT_HEAP_FLAGS;
  return chosen === undefined ? deployedHeapFlags() : chosen.split(' ').filter((flag) => flag && flag !== 'none');
}
/** Extra node flags for the contacts process (diagnostics, e.g. `--trace-gc`), space-separated. */
const CHILD_NODE_FLAGS = (process.env.BENCH_IMPORT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** The contacts process's log level (`debug` logs each batch's timings) and, if set, a file for its output. */
const CHILD_LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const CHILD_LOG_FILE = process.env.BENCH_IMPORT_LOG;

const ROOT = join(__dirname, '..');
const CHILD_ENTRY = 'apps/contacts/test/import-worker.child.ts';

export const HEADER =
  'email,firstName,lastName,lawfulBasis,consent.givenAt,consent.source,birthDate,lists,tags,attributes.plan';
const BASES = ['contract', 'legitimate_interests', 'consent'];

/** One contact; a third of them on `consent`, with a consent record (so the history is written too). */
export function contact(i: number) {
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

export function csvLine(i: number): string {
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

export async function writeLines(
  path: string,
  first: string | null,
  line: (i: number) => string,
  rows = ROWS,
): Promise<number> {
  async function* lines() {
    if (first) yield `${first}\n`;
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
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

/** The node flags of the contacts Deployment's command: everything between `node` and the script. */
function deployedHeapFlags(): string[] {
  const manifest = readFileSync(join(ROOT, 'deploy/k8s/base/contacts.yaml'), 'utf8');
  const deployment = parseAllDocuments(manifest)
    .map(
      (doc) =>
        doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: { command?: string[] }[] } } } },
    )
    .find((doc) => doc.kind === 'Deployment');
  const command = deployment?.spec?.template?.spec?.containers?.[0]?.command;
  if (!command || command[0] !== 'node') throw new Error('the contacts Deployment has no `node …` command');
  return command.slice(1, -1);
}

/** A field of /proc/<pid>/status in MB (VmRSS: now; VmHWM: the process's peak so far). */
function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Samples another process's resident memory every 50 ms until stopped; returns the peak seen in MB. */
function rssSampler(pid: number): { stop(): number } {
  let peak = procStatusMb(pid, 'VmRSS');
  const timer = setInterval(() => {
    peak = Math.max(peak, procStatusMb(pid, 'VmRSS'));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, procStatusMb(pid, 'VmRSS'));
    },
  };
}

/**
 * The contacts service's sources compiled to plain JavaScript (swc, the build's own settings), so its process runs
 * without a transpiler in it: `-r @swc-node/register` alone adds ~130 MB of RSS (the native compiler), which the
 * service does not carry in production (`node dist/apps/contacts/main.js`). Returns the compiled child script.
 */
function compileContacts(outDir: string): string {
  const swcrc = JSON.parse(readFileSync(join(ROOT, '.swcrc'), 'utf8')) as { jsc: Record<string, unknown> };
  const sources = [
    ...['apps/contacts/src', ...readdirSync(join(ROOT, 'libs')).map((lib) => `libs/${lib}/src`)].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
        .map((file) => join(dir, file)),
    ),
    CHILD_ENTRY,
  ];
  for (const source of sources) {
    const { code } = transformFileSync(join(ROOT, source), {
      ...swcrc,
      swcrc: false,
      sourceMaps: false,
      jsc: { ...swcrc.jsc, baseUrl: ROOT },
    } as Parameters<typeof transformFileSync>[1]);
    const target = join(outDir, source.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  return join(outDir, CHILD_ENTRY.replace(/\.ts$/, '.js'));
}

/**
 * The contacts service alone in a child process (the test harness's worker script, compiled: free port, a queue
 * namespace and consumer groups of its own), so the memory measured is the service's, not the bench's file
 * generation, HTTP client or the support service.
 */
async function startContacts(dataDir: string, script: string): Promise<{ child: ChildProcess; url: string }> {
  const env = {
    REGIONS: 'NA',
    DATA_DIR: dataDir,
    LOG_LEVEL: CHILD_LOG_LEVEL,
    // A Redis database of its own: nothing of another run can land in the bench's queue or slow its Redis.
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/6',
  };
  const heap = heapFlags();
  const profile = CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...heap, ...CHILD_NODE_FLAGS, ...profile, script, JSON.stringify(env)], {
    cwd: ROOT,
    // The compiled files live outside the repository: packages resolve from its node_modules.
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log = CHILD_LOG_FILE ? createWriteStream(CHILD_LOG_FILE) : null;
  return new Promise((resolve, reject) => {
    let head = '';
    let ready = false;
    child.stdout!.on('data', (data: Buffer) => {
      log?.write(data);
      if (ready) return;
      head += data.toString();
      const line = /READY (\S+)/.exec(head);
      if (line) {
        ready = true;
        resolve({ child, url: line[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`the contacts process exited early (${code})`)));
  });
}

/** POSTs the file as the body, piped from disk with the socket's backpressure. */
export async function upload(
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

/** Each measured phase starts from a clean checkpoint, so none pays for the dirty pages of the one before. */
export async function checkpoint(): Promise<void> {
  await adminQuery('NA', 'CHECKPOINT');
}

interface Imported {
  seconds: number;
  cpuSeconds: number;
  importId: string;
}

/** Upload → `done`, timed end to end through the HTTP API; the contacts process's CPU time over the same span. */
async function importThroughApi(
  contactsUrl: string,
  pid: number,
  tenant: TestTenant,
  path: string,
  type: string,
): Promise<Imported> {
  await checkpoint();
  const cpuBefore = cpuSeconds(pid);
  const started = process.hrtime.bigint();
  const response = await upload(`${contactsUrl}/v1/imports`, tenant.apiKey, type, path);
  if (response.status !== 202) throw new Error(`import refused: ${response.status} ${response.body}`);
  const { id } = JSON.parse(response.body) as { id: string };
  const report = await waitFor(
    async () => {
      const res = await http('GET', `${contactsUrl}/v1/imports/${id}`, { token: tenant.apiKey });
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
    },
    { timeoutMs: 30 * 60 * 1000, intervalMs: 50, what: 'the import to end' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = cpuSeconds(pid) - cpuBefore;
  if (report.status !== 'done' || report.created !== ROWS) {
    throw new Error(
      `import ended ${report.status}: ${JSON.stringify({ ...report, errors: report.errors.slice(0, 3) })}`,
    );
  }
  return { seconds, cpuSeconds: used, importId: id };
}

/**
 * An import's `contact.changed` v3 events are keyed by the import: waits until the relay has published them all, so
 * the next phase does not pay for this one's events (not timed).
 */
async function outboxDrained(importId: string): Promise<void> {
  await waitFor(
    async () =>
      (
        await adminQuery<{ n: number }>('NA', 'SELECT count(*)::int AS n FROM outbox WHERE partition_key = $1', [
          importId,
        ])
      )[0].n === 0,
    { timeoutMs: 10 * 60 * 1000, intervalMs: 500, what: "the import's events to be relayed" },
  );
}

/**
 * The database's own floor for the same work, in the same run, from a clean checkpoint: COPY of the same rows (as
 * the importer's COPY text) into a staging table, then ONE `INSERT … ON CONFLICT (tenant_id, email)` into a fresh
 * table with the contacts table's indexes and defaults (a fresh tenant: every row is new); and, for reference, a
 * raw COPY into an unindexed table.
 */
export async function databaseFloor(
  copyPath: string,
  rawToo: boolean,
  rows = ROWS,
): Promise<{ floor: number; rawCopy: number | null }> {
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

    await client.query('CHECKPOINT');
    let started = process.hrtime.bigint();
    await client.query('BEGIN');
    await client.query(`CREATE TEMPORARY TABLE floor_staging (${staging}) ON COMMIT DROP`);
    await pipeline(createReadStream(copyPath), client.query(copyFrom('COPY floor_staging FROM STDIN')));
    await client.query(
      `INSERT INTO ${table} AS c (tenant_id, ${columns}) SELECT '${tenantId}', ${columns} FROM floor_staging
       ${CONTACT_UPSERT_CONFLICT.replace(/EXCLUDED\.status = 'suppressed' AND c\.status = 'active'/g, 'false')}`,
    );
    await client.query('COMMIT');
    const floor = rows / (Number(process.hrtime.bigint() - started) / 1e9);
    if (!rawToo) return { floor, rawCopy: null };

    await client.query('CHECKPOINT');
    started = process.hrtime.bigint();
    await pipeline(createReadStream(copyPath), client.query(copyFrom(`COPY ${table}_raw (${columns}) FROM STDIN`)));
    const rawCopy = rows / (Number(process.hrtime.bigint() - started) / 1e9);
    return { floor, rawCopy };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}, ${table}_raw`);
    await client.end();
  }
}

const mb = (n: number) => Math.round(n);
const ratio = (n: number) => Math.round(n * 100) / 100;

/**
 * `npm run bench import`: a 1M-row CSV and NDJSON imported end to end through the HTTP API of a contacts service
 * running as its own process (its peak RSS is the one the 300 MB bar is about), and the database's floor.
 */
export async function runImportBench(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'missive-import-bench-'));
  const csvPath = join(dir, 'contacts.csv');
  const ndjsonPath = join(dir, 'contacts.ndjson');
  const copyPath = join(dir, 'contacts.copy');
  const csvBytes = await writeLines(csvPath, HEADER, csvLine);
  await writeLines(ndjsonPath, null, (i) => JSON.stringify(contact(i)));
  const tenantFacts = { region: 'NA' as const, transferSafeguard: null };
  const { minimumAges } = loadConfig({});
  await writeLines(copyPath, null, (i) => {
    const result = validateContactInput(contact(i), tenantFacts, minimumAges);
    if (!result.ok) throw new Error(`bench row ${i} is invalid: ${JSON.stringify(result.errors)}`);
    return copyLine(result.contact);
  });

  let contacts: ChildProcess | null = null;
  let support: TestServices | null = null;
  const tenantIds: string[] = [];
  try {
    const loadAtStart = loadavg()[0];
    process.stdout.write(`  the contacts process runs with: ${heapFlags().join(' ') || "node's default heap"}\n`);
    // The floor before and after the imports (a machine shared with other work drifts over minutes); the ratios use
    // their mean.
    const before = await databaseFloor(copyPath, true);
    // The contacts process first, so it is the one that wins the regional outbox relay's lock and publishes its own
    // events (their CPU and memory count with it, as when the service runs alone).
    const started = await startContacts(join(dir, 'data'), compileContacts(join(dir, 'build')));
    contacts = started.child;
    const pid = contacts.pid!;
    // The support service (tenants and keys only) stays in this process.
    support = await startTestServices([supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      LOG_LEVEL: 'warn',
    });
    const [csvTenant, ndjsonTenant] = [
      await createTestTenant(support, { region: 'NA' }),
      await createTestTenant(support, { region: 'NA' }),
    ];
    tenantIds.push(csvTenant.tenant.id, ndjsonTenant.tenant.id);
    const baselineRss = procStatusMb(pid, 'VmRSS');
    const sampler = rssSampler(pid);
    const csv = await importThroughApi(started.url, pid, csvTenant, csvPath, 'text/csv');
    await outboxDrained(csv.importId);
    const ndjson = await importThroughApi(started.url, pid, ndjsonTenant, ndjsonPath, 'application/x-ndjson');
    const sampledPeak = sampler.stop();
    await outboxDrained(ndjson.importId);
    const highWaterMark = procStatusMb(pid, 'VmHWM');
    const after = await databaseFloor(copyPath, false);
    const floor = (before.floor + after.floor) / 2;
    const csvRate = ROWS / csv.seconds;
    const ndjsonRate = ROWS / ndjson.seconds;
    return {
      rows: ROWS,
      csvMegabytes: mb(csvBytes / 1024 / 1024),
      csvRowsPerSecond: Math.round(csvRate),
      ndjsonRowsPerSecond: Math.round(ndjsonRate),
      floorRowsPerSecond: Math.round(floor),
      floorBeforeRowsPerSecond: Math.round(before.floor),
      floorAfterRowsPerSecond: Math.round(after.floor),
      rawCopyRowsPerSecond: Math.round(before.rawCopy!),
      csvToFloorRatio: ratio(csvRate / floor),
      ndjsonToFloorRatio: ratio(ndjsonRate / floor),
      // The contacts process: VmHWM at the end (its peak over its whole life), the peak of VmRSS sampled during
      // the imports, and VmRSS once started, before the first upload.
      peakRssMegabytes: mb(highWaterMark),
      sampledPeakRssMegabytes: mb(sampledPeak),
      baselineRssMegabytes: mb(baselineRss),
      csvContactsCpuCores: ratio(csv.cpuSeconds / csv.seconds),
      ndjsonContactsCpuCores: ratio(ndjson.cpuSeconds / ndjson.seconds),
      // This machine's 1-minute load average when the bench started and ended (other work shares its cores).
      loadAverageAtStart: ratio(loadAtStart),
      loadAverageAtEnd: ratio(loadavg()[0]),
    };
  } finally {
    if (contacts) await stopChild(contacts, 30000);
    await support?.stop();
    await rm(dir, { recursive: true, force: true });
    await removeImportedContacts(tenantIds);
  }
}

/**
 * Deletes the contacts (and consents) the bench imported, not timed: left behind, each run added 2,000,000 rows to the
 * contacts table, and the next runs' imports and floor slowed as its indexes grew.
 */
async function removeImportedContacts(tenantIds: string[]): Promise<void> {
  if (tenantIds.length === 0) return;
  try {
    await adminQuery('NA', 'DELETE FROM consents WHERE tenant_id = ANY($1::uuid[])', [tenantIds]);
    await adminQuery('NA', 'DELETE FROM contacts WHERE tenant_id = ANY($1::uuid[])', [tenantIds]);
    await adminQuery('NA', 'VACUUM ANALYZE contacts, consents');
  } catch (error) {
    process.stderr.write(`could not remove the bench's imported contacts: ${(error as Error).message}\n`);
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
