import { access } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import { MissiveConfig } from '@missive/config';
import { IMPORT_FINISHED, type ImportFinishedV1, type Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox, type OutgoingEvent } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { keyedAddressHash } from '@missive/tenant-keys';
import { TenantStates } from '@missive/tenancy';
import { ContactEvents, type TenantFacts } from '@missive/contact-domain';
import { BufferPool } from './byte-sink';
import { importChangedEvents } from './import-events';
import { ImportFiles } from './import-files';
import {
  ImportUnrecoverable,
  parseImportFile,
  type ImportError,
  type ParsedBatch,
  type ParseSummary,
} from './import-parser';
import { ImportsRepository, type BatchResult, type ImportRow } from './imports.repository';

/** What a queued import job carries: ids only, never file content or addresses (R-T2). */
export interface ImportJobData {
  importId: string;
  tenantId: string;
  region: Region;
}

/** `import.finished` (R-X7: the tenant's webhooks hear of it), in the transaction that ends the import. */
function importFinished(job: ImportJobData, status: ImportFinishedV1['status']): OutgoingEvent<ImportFinishedV1> {
  const data: ImportFinishedV1 = { importId: job.importId, status };
  return { type: IMPORT_FINISHED, region: job.region, tenantId: job.tenantId, key: job.importId, data };
}

/**
 * Batches of one import written at once: the next one's upsert runs while the one before adds its events and
 * commits (the database orders them: see `ImportsRepository.writeBatch`).
 */
const WRITES_AT_ONCE = 2;

/** The import should stop at the next batch boundary (graceful shutdown, R-X4); it resumes elsewhere. */
export class ImportStopped extends Error {
  constructor() {
    super('import stopped for shutdown; it resumes from its last batch');
  }
}

/**
 * Runs one import job (R-C6): the file, from its last committed offset, is framed, parsed and checked with the API's
 * rule set batch by batch (`parseImportFile`). Sessions take turns: one stages the next batch in its staging table by
 * COPY while the two batches before are written — the upsert of one overlapping the events and commit of the one
 * before it — so parsing, staging and writing overlap. Each batch commits its rows, events, counts, errors and the
 * offset together, in file order, so a crash resumes exactly where the last commit left off.
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly databases: Databases,
    private readonly imports: ImportsRepository,
    private readonly files: ImportFiles,
    private readonly contactEvents: ContactEvents,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly config: MissiveConfig,
    private readonly tenants: TenantStates,
  ) {}

  /**
   * The tenant facts the rules need, from the directory reader (at most a second old, evicted at once by
   * `tenant.changed`): an import never outlives its tenant's termination.
   */
  private async tenantFacts(tenantId: string): Promise<TenantFacts & { status: string }> {
    const tenant = await this.tenants.get(tenantId);
    if (!tenant) throw new ImportUnrecoverable('the tenant no longer exists');
    return { region: tenant.region, status: tenant.status, transferSafeguard: tenant.transferSafeguard };
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

    // Sessions take turns: one stages the next batch while the batches before it are written (WRITES_AT_ONCE).
    const dataSource = this.databases.forRegion(job.region);
    const sessions = Array.from({ length: WRITES_AT_ONCE + 1 }, () => dataSource.createQueryRunner());
    try {
      for (const session of sessions) {
        await session.connect();
        await this.imports.prepareSession(session);
      }
      const fileErrors = await this.stream(job, tenant, row, path, sessions, shouldStop);
      await this.databases.withTenant(job.region, job.tenantId, async (m) => {
        await this.imports.finish(m, job.tenantId, job.importId, 'done', { errors: fileErrors });
        await appendToOutbox(m, [importFinished(job, 'done')]);
      });
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
      await appendToOutbox(m, [importFinished(job, 'failed')]);
      if (row.file_path) await this.files.remove(row.file_path);
    });
  }

  private async stream(
    job: ImportJobData,
    tenant: TenantFacts,
    row: ImportRow,
    path: string,
    sessions: readonly QueryRunner[],
    shouldStop: () => boolean,
  ): Promise<ImportError[]> {
    const startOffset = Number(row.offset_bytes);
    const batches = parseImportFile({
      path,
      csv: row.format === 'csv',
      startOffset,
      startLine: Math.max(1, Number(row.offset_line)),
      columns: row.columns,
      // Each batch's buffers go back to the pool once it is written, for the batches after it.
      buffers: new BufferPool(),
      tenant: { region: tenant.region, transferSafeguard: tenant.transferSafeguard },
      minimumAges: this.config.minimumAges,
      now: Date.now(),
    });
    let turn = 0;
    // Writes in file order; each settles to its error, if any, so the first failure is the one reported.
    const writes: Promise<unknown>[] = [];
    const settleOldest = async () => {
      const error = await writes.shift();
      if (error) throw error;
    };
    let summary: ParseSummary;
    // The next batch is parsed while this one is staged and written (parsing yields to the writes' replies). Its
    // failure is thrown where it is awaited; the no-op handler only keeps it from counting as unhandled meanwhile.
    const parseNext = () => {
      const next = batches.next();
      next.catch(() => undefined);
      return next;
    };
    let parsing = parseNext();
    try {
      for (;;) {
        const waitStarted = Date.now();
        const next = await parsing;
        if (next.done) {
          summary = next.value;
          break;
        }
        parsing = parseNext();
        const batch = next.value;
        // This session's last batch, three back, settled before the one two back began writing: it is free.
        const session = sessions[turn];
        turn = (turn + 1) % sessions.length;
        const staging = Date.now();
        await this.stage(job, session, batch);
        const staged = Date.now();
        try {
          while (writes.length >= WRITES_AT_ONCE) await settleOldest();
          if (shouldStop()) throw new ImportStopped();
        } catch (error) {
          await this.abandon(session);
          throw error;
        }
        this.logger.debug(
          { parseWaitMs: staging - waitStarted, stageMs: staged - staging, writeWaitMs: Date.now() - staged },
          'import batch staged',
        );
        // Written while the next batch is parsed and staged on another session, and the end of the batch before is
        // written on a third. From here the write owns the session (and rolls it back if it fails).
        const previous = writes.length > 0 ? writes[writes.length - 1] : null;
        writes.push(
          this.write(job, session, batch, previous).then(
            () => null,
            (error: unknown) => error ?? new Error('import batch write failed'),
          ),
        );
        // Settled (written or rolled back): nothing reads the batch's buffers any more.
        void writes[writes.length - 1].then(() => batch.release());
      }
      while (writes.length > 0) await settleOldest();
    } finally {
      // If the import ends early: the batch being parsed is dropped (its error too) and the file closed; writes still
      // running are waited for (they own sessions).
      await parsing.catch(() => undefined);
      await batches.return(undefined as never);
      await Promise.all(writes);
    }

    if (startOffset === 0 && summary.rows === 0) {
      return summary.headerLine > 0
        ? [{ row: summary.headerLine, field: 'file', reason: 'has a header but no data rows' }]
        : [{ row: 0, field: 'file', reason: 'is empty' }];
    }
    return [];
  }

  /**
   * Opens the batch's transaction on `session` and COPYs its rows into the session's staging table; on failure the
   * transaction is rolled back and the error thrown.
   */
  private async stage(job: ImportJobData, session: QueryRunner, batch: ParsedBatch): Promise<void> {
    try {
      const copy = await this.imports.beginBatch(session, job.tenantId);
      if (batch.copy.length > 0) copy.write(batch.copy);
      copy.end();
      await finished(copy);
    } catch (error) {
      await this.abandon(session);
      throw error;
    }
  }

  /** Rolls back a batch that will not be written (shutdown, or a failure): nothing of it stays. */
  private async abandon(session: QueryRunner): Promise<void> {
    try {
      await this.imports.abortBatch(session);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not roll back an unwritten import batch');
    }
  }

  private async write(
    job: ImportJobData,
    session: QueryRunner,
    batch: ParsedBatch,
    previous: Promise<unknown> | null,
  ): Promise<void> {
    // The tenant's key is read before the transaction (cached); the contacts' own keys in it, one query.
    const tenant = { id: job.tenantId, region: job.region };
    const dataKey = batch.staged > 0 ? await this.contactEvents.dataKey(tenant) : null;
    // Every created or updated contact in one of a few contact.changed v5 events, one outbox insert (R-X5).
    const publish = async (m: EntityManager, result: BatchResult) => {
      const built = Date.now();
      const keys = await this.contactEvents.contactKeys(
        m,
        tenant,
        result.changed.map((c) => c.id),
      );
      const events = importChangedEvents(keys, tenant, job.importId, batch.contacts, result.changed);
      result.timings.seal = Date.now() - built;
      await appendToOutbox(m, events);
    };
    // R-D2: only consulted when the tenant has hash-only suppressions (erased people who had opted out).
    const addressHash = (email: string) => keyedAddressHash(dataKey!, email);
    const started = Date.now();
    try {
      const result = await this.imports.writeBatch(
        session,
        job.tenantId,
        job.importId,
        batch,
        publish,
        addressHash,
        previous ?? undefined,
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
      await this.abandon(session);
      throw error;
    }
  }
}
