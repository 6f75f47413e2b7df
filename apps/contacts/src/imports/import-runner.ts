import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { keyedAddressHash } from '@missive/tenant-keys';
import { type ContactData, ContactEvents, type TenantFacts, validateContactInput } from '@missive/contact-domain';
import { copyLine } from './copy-text';
import { parseCsvChunk } from './csv-chunk';
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
import { frameRecords, type FramedChunk, type FramedRecord } from './record-framer';
import { timeOrderedId } from './time-ordered-id';

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

/** The import should stop at the next batch boundary (graceful shutdown, R-X4); it resumes elsewhere. */
export class ImportStopped extends Error {
  constructor() {
    super('import stopped for shutdown; it resumes from its last batch');
  }
}

/** A problem that retrying cannot fix: the import is marked failed at once. */
export class ImportUnrecoverable extends Error {}

/** Characters of COPY text handed to the stream at a time: one CopyData message per ~64 KB, not per row. */
const COPY_CHUNK_CHARS = 64 * 1024;

/**
 * One batch as its records come: each valid row goes at once into the COPY stream of the batch's session (as a
 * line of the staging table, with its time-ordered id), so the batch's text is never held; what the events need
 * stays (one contact per address), and the rejected rows' errors.
 */
class StagedBatch {
  readonly contacts: ContactData[] = [];
  readonly indexOf = new Map<string, number>();
  staged = 0;
  total = 0;
  rejected = 0;
  errors: ImportError[] = [];
  endOffset: number;
  endLine: number;
  columns?: string[];
  /** Set once the COPY is complete; null while rows may still be added. */
  private ended: Promise<void> | null = null;
  private pending: string[] = [];
  private pendingChars = 0;
  private copyError: unknown = null;

  constructor(
    readonly session: QueryRunner,
    private readonly copy: Writable,
    readonly startOffset: number,
    startLine: number,
  ) {
    this.endOffset = startOffset;
    this.endLine = startLine;
    copy.on('error', (error: unknown) => {
      this.copyError ??= error;
    });
  }

  /** Stages a valid row; a promise when the stream asks the parser to wait (backpressure). */
  add(contact: ContactData): Promise<void> | null {
    const seen = this.indexOf.get(contact.email);
    if (seen === undefined) {
      this.indexOf.set(contact.email, this.contacts.length);
      this.contacts.push(contact);
    } else {
      // A later row for the same address in the same batch wins (the upsert keeps the staged row with the higher
      // `ord`); the earlier one changes nothing.
      this.contacts[seen] = contact;
    }
    const line = `${this.staged}\t${timeOrderedId()}\t${copyLine(contact)}\n`;
    this.staged += 1;
    this.pending.push(line);
    this.pendingChars += line.length;
    return this.pendingChars >= COPY_CHUNK_CHARS ? this.flushPending() : null;
  }

  reject(errors: ImportError[]): void {
    this.rejected += 1;
    for (const e of errors) this.errors.push(e);
  }

  private flushPending(): Promise<void> | null {
    if (this.pendingChars === 0) return null;
    const ok = this.copy.write(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
    return ok ? null : once(this.copy, 'drain').then(() => undefined);
  }

  /** Ends the COPY: the batch's rows are in its session's staging table once this resolves. */
  finish(): Promise<void> {
    this.ended ??= (async () => {
      await this.flushPending();
      this.copy.end();
      await finished(this.copy);
      if (this.copyError) throw this.copyError;
    })();
    return this.ended;
  }

  /** Cancels the COPY if it is still open (the stream sends CopyFail) and waits until the session is free. */
  async cancel(): Promise<void> {
    if (this.ended) {
      await this.ended.catch(() => undefined);
      return;
    }
    this.ended = Promise.resolve();
    if (this.copy.writableFinished || this.copy.destroyed) return;
    this.copy.destroy();
    await finished(this.copy).catch(() => undefined);
  }

  toWrite(): ImportBatch {
    return {
      staged: this.staged,
      contacts: this.contacts,
      indexOf: this.indexOf,
      total: this.total,
      rejected: this.rejected,
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
 * (csv-parse, chunk by chunk) and checks each with the API's rule set (`validateContactInput`). Two database sessions
 * take turns: the rows of the batch being parsed go straight into one session's staging table by COPY while the
 * other writes the batch before — parsing and validation overlap the database's work, and no batch is ever held as
 * text. Each batch commits its rows, events, counts, errors and the offset together, so a crash resumes exactly where
 * the last commit left off.
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

    // Two sessions take turns: one stages the batch being parsed while the other writes the batch before it.
    const dataSource = this.databases.forRegion(job.region);
    const sessions = [dataSource.createQueryRunner(), dataSource.createQueryRunner()] as const;
    try {
      for (const session of sessions) {
        await session.connect();
        await this.imports.prepareSession(session);
      }
      const fileErrors = await this.stream(job, tenant, row, path, sessions, shouldStop);
      await this.databases.withTenant(job.region, job.tenantId, (m) =>
        this.imports.finish(m, job.tenantId, job.importId, 'done', { errors: fileErrors }),
      );
    } finally {
      for (const session of sessions) await session.release();
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
    sessions: readonly [QueryRunner, QueryRunner],
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

    let turn = 0;
    const open = async (offset: number, line: number) => {
      const session = sessions[turn];
      turn ^= 1;
      return new StagedBatch(session, await this.imports.beginBatch(session, job.tenantId), offset, line);
    };
    let batch: StagedBatch | null = null;
    let inflight: Promise<void> | null = null;
    let failure: unknown = null;
    let parseStarted = Date.now();
    const flush = async (): Promise<StagedBatch> => {
      const ready = batch!;
      await ready.finish();
      const parsed = Date.now();
      if (inflight) await inflight;
      this.logger.debug({ parseMs: parsed - parseStarted, waitMs: Date.now() - parsed }, 'import batch parsed');
      parseStarted = Date.now();
      if (failure) throw failure;
      if (shouldStop()) throw new ImportStopped();
      // Written while the next batch is parsed and staged on the other session; an error is kept and rethrown at
      // the next flush. From here the write owns the batch (and rolls it back if it fails).
      batch = null;
      inflight = this.write(job, ready).catch((error: unknown) => {
        failure = error;
      });
      return ready;
    };

    const source = createReadStream(path, { start: startOffset, highWaterMark: READ_CHUNK_BYTES });
    try {
      batch = await open(startOffset, startLine);
      for await (const chunk of frameRecords(source, {
        quoted: csv,
        maxRecordBytes: MAX_RECORD_BYTES,
        startOffset,
        startLine,
      })) {
        const parsed = csv ? parseCsvChunk(chunk) : null;
        let next = 0;
        for (const rec of chunk.records) {
          const values = rec.bad ? null : csv ? parsed![next++] : null;
          const current: StagedBatch = batch!;
          if (csv && plan === null) {
            // The header (line 1 of a fresh CSV import).
            headerLine = rec.line;
            if (!values) throw new ImportUnrecoverable(`the header line ${rec.bad ?? 'cannot be read'}`);
            plan = planColumns(values);
            current.columns = plan.columns;
            for (const p of plan.problems) current.errors.push({ row: rec.line, ...p });
          } else {
            rowsThisRun += 1;
            current.total += 1;
            const contact = this.checkRecord(current, rec, csv, plan, values, chunk, tenant, now);
            const wait = contact ? current.add(contact) : null;
            if (wait) await wait;
          }
          current.endOffset = rec.end;
          current.endLine = rec.nextLine;
          if (current.total >= IMPORT_BATCH_ROWS) {
            const ready = await flush();
            batch = await open(ready.endOffset, ready.endLine);
          } else if ((current.total & 255) === 0) await yieldToWriter();
        }
      }
      await flush();
      if (inflight) await inflight;
      if (failure) throw failure;
    } finally {
      source.destroy();
      if (inflight) await inflight;
      const unwritten: StagedBatch | null = batch;
      if (unwritten) await this.abandon(unwritten);
    }

    if (fresh && rowsThisRun === 0) {
      return headerLine > 0
        ? [{ row: headerLine, field: 'file', reason: 'has a header but no data rows' }]
        : [{ row: 0, field: 'file', reason: 'is empty' }];
    }
    return [];
  }

  /** Rolls back a batch that will not be written (shutdown, or a failure elsewhere): nothing of it stays. */
  private async abandon(batch: StagedBatch): Promise<void> {
    try {
      await batch.cancel();
      await this.imports.abortBatch(batch.session);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not roll back an unwritten import batch');
    }
  }

  /** Checks one record with the API's rule set: the contact to stage, or null (its errors go to the batch). */
  private checkRecord(
    batch: StagedBatch,
    rec: FramedRecord,
    csv: boolean,
    plan: ColumnPlan | null,
    values: string[] | null,
    chunk: FramedChunk,
    tenant: TenantFacts,
    now: Date,
  ): ContactData | null {
    const row = rec.line;
    const reject = (errors: ImportError[]) => {
      batch.reject(errors);
      return null;
    };
    if (rec.bad) return reject([{ row, field: 'row', reason: rec.bad }]);
    let input: unknown;
    if (csv) {
      if (!values) return reject([{ row, field: 'row', reason: 'broken CSV quoting' }]);
      if (values.length !== plan!.columns.length) {
        return reject([
          { row, field: 'row', reason: `has ${values.length} fields; the header has ${plan!.columns.length}` },
        ]);
      }
      input = csvRecordToInput(plan!, values);
    } else {
      let text = chunk.buf.toString('utf8', rec.start, rec.stop);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      try {
        input = JSON.parse(text);
      } catch {
        return reject([{ row, field: 'row', reason: 'is not valid JSON' }]);
      }
    }
    if (rec.notUtf8)
      return reject([{ row, field: fieldWithInvalidText(input) ?? 'row', reason: 'is not valid UTF-8' }]);
    const result = validateContactInput(input, tenant, now);
    return result.ok ? result.contact : reject(result.errors.map((e) => ({ row, ...e })));
  }

  private async write(job: ImportJobData, staged: StagedBatch): Promise<void> {
    const batch = staged.toWrite();
    // The tenant's key is read before the transaction (cached); sealing each row is then pure CPU.
    const tenant = { id: job.tenantId, region: job.region };
    const dataKey = batch.staged > 0 ? await this.contactEvents.dataKey(tenant) : null;
    // Every created or updated contact in one of a few contact.changed v3 events, one outbox insert (R-X5).
    const publish = async (m: EntityManager, result: BatchResult) => {
      const built = Date.now();
      const events = importChangedEvents(dataKey!, tenant, job.importId, result.changed);
      result.timings.seal = Date.now() - built;
      await appendToOutbox(m, events);
    };
    // R-D2: only consulted when the tenant has hash-only suppressions (erased people who had opted out).
    const addressHash = (email: string) => keyedAddressHash(dataKey!, email);
    const started = Date.now();
    try {
      const result = await this.imports.writeBatch(
        staged.session,
        job.tenantId,
        job.importId,
        batch,
        publish,
        addressHash,
      );
      this.logger.debug(
        {
          importId: job.importId,
          rows: batch.total,
          created: result.created,
          ms: Date.now() - started,
          steps: result.timings,
        },
        'import batch written',
      );
    } catch (error) {
      await this.abandon(staged);
      throw error;
    }
  }
}

/**
 * Lets the pending batch's database replies run: parsing is synchronous, and each statement of the batch being
 * written would otherwise wait for a whole chunk's parse before its next one is sent, leaving the database idle.
 */
function yieldToWriter(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
