import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { parse as parseCsv, type Options as CsvOptions } from 'csv-parse/sync';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { keyedAddressHash } from '@missive/tenant-keys';
import { type ContactData, ContactEvents, type TenantFacts, validateContactInput } from '@missive/contact-domain';
import { copyLine } from './copy-text';
import { importChangedEvents } from './import-events';
import { ImportFiles } from './import-files';
import { csvRecordToInput, fieldWithInvalidText, planColumns, type ColumnPlan } from './import-row.rules';
import {
  ImportsRepository,
  type BatchResult,
  type ImportBatch,
  type ImportError,
  type ImportRow,
} from './imports.repository';
import { frameRecords, type FramedChunk } from './record-framer';

/** What a queued import job carries: ids only, never file content or addresses (R-T2). */
export interface ImportJobData {
  importId: string;
  tenantId: string;
  region: Region;
}

/** Rows per transaction: big enough to amortise the round trips, small enough to resume cheaply. */
export const IMPORT_BATCH_ROWS = 10000;
/** One record (a CSV row or an NDJSON line) may not be larger than this; a larger one is rejected alone. */
export const MAX_RECORD_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;

const CSV_OPTIONS: CsvOptions = {
  relax_quotes: true,
  relax_column_count: true,
  record_delimiter: ['\r\n', '\n'],
  skip_empty_lines: false,
  bom: false,
};

/** The import should stop at the next batch boundary (graceful shutdown, R-X4); it resumes elsewhere. */
export class ImportStopped extends Error {
  constructor() {
    super('import stopped for shutdown; it resumes from its last batch');
  }
}

/** A problem that retrying cannot fix: the import is marked failed at once. */
export class ImportUnrecoverable extends Error {}

/** Builds batches as records come: valid rows as COPY lines (one per address), the rest as errors. */
class BatchBuilder {
  lines: string[] = [];
  contacts: ContactData[] = [];
  private byEmail = new Map<string, number>();
  total = 0;
  rejected = 0;
  superseded = 0;
  errors: ImportError[] = [];
  endOffset: number;
  endLine: number;
  columns?: string[];

  constructor(
    readonly startOffset: number,
    startLine: number,
  ) {
    this.endOffset = startOffset;
    this.endLine = startLine;
  }

  add(contact: ContactData): void {
    const line = copyLine(contact);
    const seen = this.byEmail.get(contact.email);
    if (seen === undefined) {
      this.byEmail.set(contact.email, this.lines.length);
      this.lines.push(line);
      this.contacts.push(contact);
    } else {
      // A later row for the same address in the same batch wins; the earlier one changes nothing.
      this.lines[seen] = line;
      this.contacts[seen] = contact;
      this.superseded += 1;
    }
  }

  reject(errors: ImportError[]): void {
    this.rejected += 1;
    for (const e of errors) this.errors.push(e);
  }

  build(): ImportBatch {
    return {
      copyText: this.lines.length > 0 ? `${this.lines.join('\n')}\n` : '',
      emails: [...this.byEmail.keys()],
      contacts: this.contacts,
      rows: this.lines.length,
      total: this.total,
      rejected: this.rejected,
      superseded: this.superseded,
      errors: this.errors,
      startOffset: this.startOffset,
      endOffset: this.endOffset,
      endLine: this.endLine,
      columns: this.columns,
    };
  }
}

/**
 * Runs one import job (R-C6): streams the file from its last committed offset, frames records, parses them
 * (csv-parse, chunk by chunk) and checks each with the API's rule set, while the previous batch is being written —
 * parsing and validation overlap the database's work. Each batch commits its rows, events, counts, errors and the
 * offset together, so a crash resumes exactly where the last commit left off.
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly databases: Databases,
    private readonly imports: ImportsRepository,
    private readonly files: ImportFiles,
    private readonly contactEvents: ContactEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The tenant facts the rules need, read fresh: an import never outlives its tenant's termination. */
  private async tenantFacts(tenantId: string): Promise<TenantFacts & { status: string }> {
    const rows: { region: Region; status: string; transfer_safeguard: string | null }[] =
      await this.databases.global.query(`SELECT region, status, transfer_safeguard FROM tenants WHERE id = $1`, [
        tenantId,
      ]);
    if (!rows[0]) throw new ImportUnrecoverable('the tenant no longer exists');
    return { region: rows[0].region, status: rows[0].status, transferSafeguard: rows[0].transfer_safeguard };
  }

  async run(job: ImportJobData, shouldStop: () => boolean): Promise<void> {
    const tenant = await this.tenantFacts(job.tenantId);
    const row = await this.databases.withTenant(job.region, job.tenantId, async (m) => {
      const found = await this.imports.find(m, job.tenantId, job.importId);
      if (found && (found.status === 'queued' || found.status === 'running')) {
        await this.imports.markRunning(m, job.tenantId, job.importId);
      }
      return found;
    });
    if (!row || row.status === 'done' || row.status === 'failed') return;
    if (tenant.status !== 'active') throw new ImportUnrecoverable('the tenant is terminated');
    const path = row.file_path;
    if (
      !path ||
      !(await access(path).then(
        () => true,
        () => false,
      ))
    ) {
      throw new ImportUnrecoverable('the uploaded file is no longer there');
    }

    const runner = this.databases.forRegion(job.region).createQueryRunner();
    await runner.connect();
    try {
      const fileErrors = await this.stream(job, tenant, row, path, runner, shouldStop);
      await this.databases.withTenant(job.region, job.tenantId, (m) =>
        this.imports.finish(m, job.tenantId, job.importId, 'done', { errors: fileErrors }),
      );
    } finally {
      await runner.release();
    }
    await this.files.remove(path);
  }

  /** Marks the import failed and deletes its file (a failure that retries cannot fix, or the last attempt). */
  async fail(job: ImportJobData, reason: string): Promise<void> {
    await this.databases.withTenant(job.region, job.tenantId, async (m) => {
      const row = await this.imports.find(m, job.tenantId, job.importId, true);
      if (!row || row.status === 'done' || row.status === 'failed') return;
      await this.imports.finish(m, job.tenantId, job.importId, 'failed', { failure: reason });
      if (row.file_path) await this.files.remove(row.file_path);
    });
  }

  private async stream(
    job: ImportJobData,
    tenant: TenantFacts,
    row: ImportRow,
    path: string,
    runner: QueryRunner,
    shouldStop: () => boolean,
  ): Promise<ImportError[]> {
    const csv = row.format === 'csv';
    const startOffset = Number(row.offset_bytes);
    const startLine = Math.max(1, Number(row.offset_line));
    const fresh = startOffset === 0;
    let plan: ColumnPlan | null = csv && row.columns ? planColumns(row.columns) : null;
    let headerLine = 0;
    let rowsThisRun = 0;
    const now = new Date();

    let batch = new BatchBuilder(startOffset, startLine);
    let inflight: Promise<void> | null = null;
    let failure: unknown = null;
    const flush = async () => {
      const ready = batch.build();
      batch = new BatchBuilder(ready.endOffset, ready.endLine);
      if (inflight) await inflight;
      if (failure) throw failure;
      if (shouldStop()) throw new ImportStopped();
      // Written while the next batch is parsed; an error is kept and rethrown at the next flush.
      inflight = this.write(runner, job, ready).catch((error: unknown) => {
        failure = error;
      });
    };

    const source = createReadStream(path, { start: startOffset, highWaterMark: READ_CHUNK_BYTES });
    try {
      for await (const chunk of frameRecords(source, {
        quoted: csv,
        maxRecordBytes: MAX_RECORD_BYTES,
        startOffset,
        startLine,
      })) {
        const parsed = csv ? parseChunk(chunk) : null;
        let next = 0;
        for (const rec of chunk.records) {
          const values = rec.bad ? null : csv ? parsed![next++] : null;
          if (csv && plan === null) {
            // The header (line 1 of a fresh CSV import).
            headerLine = rec.line;
            if (!values) throw new ImportUnrecoverable(`the header line ${rec.bad ?? 'cannot be read'}`);
            plan = planColumns(values);
            batch.columns = plan.columns;
            for (const p of plan.problems) batch.errors.push({ row: rec.line, ...p });
          } else {
            rowsThisRun += 1;
            batch.total += 1;
            this.checkRecord(batch, rec.line, rec.bad, rec.notUtf8, csv, plan, values, chunk, rec, tenant, now);
          }
          batch.endOffset = rec.end;
          batch.endLine = rec.nextLine;
          if (batch.total >= IMPORT_BATCH_ROWS) await flush();
        }
      }
      await flush();
      if (inflight) await inflight;
      if (failure) throw failure;
    } finally {
      source.destroy();
    }

    if (fresh && rowsThisRun === 0) {
      return headerLine > 0
        ? [{ row: headerLine, field: 'file', reason: 'has a header but no data rows' }]
        : [{ row: 0, field: 'file', reason: 'is empty' }];
    }
    return [];
  }

  private checkRecord(
    batch: BatchBuilder,
    line: number,
    bad: string | undefined,
    notUtf8: boolean | undefined,
    csv: boolean,
    plan: ColumnPlan | null,
    values: string[] | null,
    chunk: FramedChunk,
    rec: { start: number; stop: number },
    tenant: TenantFacts,
    now: Date,
  ): void {
    if (bad) return batch.reject([{ row: line, field: 'row', reason: bad }]);
    let input: unknown;
    if (csv) {
      if (!values) return batch.reject([{ row: line, field: 'row', reason: 'broken CSV quoting' }]);
      if (values.length !== plan!.columns.length) {
        return batch.reject([
          { row: line, field: 'row', reason: `has ${values.length} fields; the header has ${plan!.columns.length}` },
        ]);
      }
      input = csvRecordToInput(plan!, values);
    } else {
      let text = chunk.buf.toString('utf8', rec.start, rec.stop);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      try {
        input = JSON.parse(text);
      } catch {
        return batch.reject([{ row: line, field: 'row', reason: 'is not valid JSON' }]);
      }
    }
    if (notUtf8) {
      const field = fieldWithInvalidText(input) ?? 'row';
      return batch.reject([{ row: line, field, reason: 'is not valid UTF-8' }]);
    }
    const result = validateContactInput(input, tenant, now);
    if (!result.ok) return batch.reject(result.errors.map((e) => ({ row: line, ...e })));
    batch.add(result.contact);
  }

  private async write(runner: QueryRunner, job: ImportJobData, batch: ImportBatch): Promise<void> {
    // The tenant's key is read before the transaction (cached); sealing each row is then pure CPU.
    const tenant = { id: job.tenantId, region: job.region };
    const dataKey = batch.rows > 0 ? await this.contactEvents.dataKey(tenant) : null;
    // Every created or updated contact in one of a few contact.changed v3 events, one outbox insert (R-X5).
    const publish = async (m: EntityManager, result: BatchResult) => {
      await appendToOutbox(m, importChangedEvents(dataKey!, tenant, job.importId, result.changed));
    };
    // R-D2: only consulted when the tenant has hash-only suppressions (erased people who had opted out).
    const addressHash = (email: string) => keyedAddressHash(dataKey!, email);
    const started = Date.now();
    const result = await this.imports.writeBatch(runner, job.tenantId, job.importId, batch, publish, addressHash);
    this.logger.debug(
      { importId: job.importId, rows: batch.total, created: result.createdIds.length, ms: Date.now() - started },
      'import batch written',
    );
  }
}

/**
 * The fields of a chunk's good CSV records. Records holding a double quote go through csv-parse (all of a chunk's
 * in one call); a record without any quote is, by the CSV grammar, its line split at the commas, which is
 * an order of magnitude faster than any general parser — the common case of a machine-written export.
 */
function parseChunk(chunk: FramedChunk): (string[] | null)[] {
  const good = chunk.records.filter((r) => !r.bad);
  const quoted = good.filter((r) => r.quoted);
  let parsedQuoted: (string[] | null)[] = [];
  if (quoted.length > 0) {
    const joined = Buffer.concat(quoted.flatMap((r) => [chunk.buf.subarray(r.start, r.stop), NEWLINE]));
    try {
      const records = parseCsv(joined, CSV_OPTIONS) as string[][];
      if (records.length === quoted.length) parsedQuoted = records;
    } catch {
      // one record at a time below
    }
    if (parsedQuoted.length !== quoted.length)
      parsedQuoted = quoted.map((r) => parseOne(chunk.buf.subarray(r.start, r.stop)));
  }
  let q = 0;
  return good.map((r) => {
    if (r.quoted) return parsedQuoted[q++];
    let end = r.stop;
    if (end > r.start && chunk.buf[end - 1] === 13) end -= 1;
    return chunk.buf.toString('utf8', r.start, end).split(',');
  });
}

const NEWLINE = Buffer.from('\n');

function parseOne(record: Buffer): string[] | null {
  try {
    const [values] = parseCsv(record, CSV_OPTIONS) as string[][];
    return values ?? [];
  } catch {
    return null;
  }
}
