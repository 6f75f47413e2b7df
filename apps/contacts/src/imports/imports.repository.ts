import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager, QueryRunner } from 'typeorm';
import { CONTACT_COLUMNS, keptOff, type ContactStatus } from '@missive/contact-domain';
import { CONTACT_UPSERT_CONFLICT } from '../contacts/contacts.repository';
import type { ImportedChange } from './import-events';
import type { ImportError, ParsedBatch } from './import-parser';
import { enterTenant } from '@missive/database';

export type { ImportError } from './import-parser';

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';
export type ImportFormat = 'csv' | 'ndjson';

export interface ImportRow {
  id: string;
  tenant_id: string;
  format: ImportFormat;
  status: ImportStatus;
  file_path: string | null;
  file_bytes: string;
  columns: string[] | null;
  offset_bytes: string;
  offset_line: string;
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  error_count: number;
  errors: ImportError[];
  kept_off: number;
  kept_off_rows: ImportError[];
  failure: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Stored per-row errors are capped (counts stay exact); API.md states the cap. */
export const MAX_STORED_ERRORS = 1000;

export interface BatchResult {
  created: number;
  updated: number;
  /** The created and updated contacts: ids, new status and their place in the batch, for `contact.changed`. */
  changed: ImportedChange[];
  /** Valid rows that changed nothing: identical to the stored contact, or replaced by a later row of the batch. */
  unchanged: number;
  /** Rows kept off (in part or whole): lists the person left (R-U4), a restricted contact (R-D1). */
  keptOff: ImportError[];
  /** Milliseconds per step of the batch's transaction (logged at debug level, for profiling). */
  timings: Record<string, number>;
}

/** Another worker moved this import on (its lock had expired): this run must stop without writing. */
export class ImportSuperseded extends Error {
  constructor() {
    super('the import was moved on by another worker');
  }
}

/**
 * CONSENT_WITHDRAWN_SQL, with its history lookup skipped for the contacts the statement created (`xmax = 0`): a
 * new id has no history yet, so only updated contacts without consent need the index probe.
 */
const IMPORT_CONSENT_WITHDRAWN_SQL = `(c.consent IS NULL AND NOT (c.xmax = 0) AND EXISTS
  (SELECT 1 FROM consents h WHERE h.tenant_id = c.tenant_id AND h.contact_id = c.id AND h.kind <> 'confirmation'))
  AS consent_withdrawn`;

/**
 * The staging table: the row's place in its batch (a repeated address keeps the later row), the id the contact gets
 * if it is created (time-ordered, `timeOrderedId`), then CONTACT_COLUMNS. One line of its COPY text per valid row.
 */
const STAGING_COLUMNS = `ord integer, id uuid, email text, first_name text, last_name text, phone text, locale text,
  region text, lawful_basis text, consent jsonb, tracking_consent boolean, birth_date date, attributes jsonb,
  lists text[], tags text[]`;

/**
 * Memory for a batch's statements: the consent-history trigger keeps the statement's new rows in a transition
 * table, which spills to a temporary file past the default 4 MB (a 10,000-row batch was ~5 MB).
 */
const BATCH_WORK_MEM = '32MB';

function clientOf(session: QueryRunner): PoolClient {
  return (session as unknown as { databaseConnection: PoolClient }).databaseConnection;
}

/** Queries on imports, and the batch write of an import's rows; every method takes the tenant id. */
@Injectable()
export class ImportsRepository {
  async create(
    m: EntityManager,
    tenantId: string,
    row: { id: string; format: ImportFormat; filePath: string; fileBytes: number },
  ): Promise<void> {
    await m.query(`INSERT INTO imports (id, tenant_id, format, file_path, file_bytes) VALUES ($1, $2, $3, $4, $5)`, [
      row.id,
      tenantId,
      row.format,
      row.filePath,
      row.fileBytes,
    ]);
  }

  async find(m: EntityManager, tenantId: string, id: string, lock = false): Promise<ImportRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: ImportRow[] = await m.query(
      `SELECT * FROM imports WHERE tenant_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  async markRunning(m: EntityManager, tenantId: string, id: string): Promise<void> {
    await m.query(
      `UPDATE imports SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'running')`,
      [tenantId, id],
    );
  }

  /** Ends the import; file-level errors (an empty file…) are added within the cap. */
  async finish(
    m: EntityManager,
    tenantId: string,
    id: string,
    status: 'done' | 'failed',
    extra: { errors?: ImportError[]; failure?: string } = {},
  ): Promise<void> {
    const errors = extra.errors ?? [];
    await m.query(
      `UPDATE imports SET status = $3, failure = $4, finished_at = now(), updated_at = now(), file_path = NULL,
         error_count = error_count + $6,
         errors = CASE WHEN jsonb_array_length(errors) + $6 <= ${MAX_STORED_ERRORS} THEN errors || $5::jsonb
                  ELSE errors END
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, status, extra.failure ?? null, JSON.stringify(errors), errors.length],
    );
  }

  /** The session's staging table, emptied by each commit (created once, not per batch: that churns the catalog). */
  async prepareSession(session: QueryRunner): Promise<void> {
    await clientOf(session).query(
      `CREATE TEMPORARY TABLE IF NOT EXISTS import_staging (${STAGING_COLUMNS}) ON COMMIT DELETE ROWS`,
    );
  }

  /**
   * Opens a batch's transaction on its session, with `app.tenant_id` set (R-T1), and its COPY into the staging
   * table: the caller writes the rows' COPY lines as it parses them and ends the stream, then calls `writeBatch`.
   * Two sessions take turns, so one batch is staged while the one before is written.
   */
  async beginBatch(session: QueryRunner, tenantId: string): Promise<Writable> {
    const client = clientOf(session);
    await client.query('BEGIN');
    await enterTenant(client, tenantId, { workMem: BATCH_WORK_MEM });
    return client.query(copyFrom('COPY import_staging FROM STDIN'));
  }

  /** Rolls a batch's transaction back (its COPY, if still open, is cancelled first by destroying its stream). */
  async abortBatch(session: QueryRunner): Promise<void> {
    await clientOf(session).query('ROLLBACK');
  }

  /**
   * Writes one staged batch and commits it (R-C6): ONE set-based upsert from the staging table (R-C1, R-C7), the
   * batch's `contact.changed` events (via `publish`, R-X5), and the import's progress, counts and capped errors — so
   * a crash loses nothing and repeats nothing. Six round trips whatever the batch's size (seven when the tenant has
   * contacts an import must keep something off: R-U4, R-D1). The upsert may overlap the end of the batch before;
   * the rest waits until `previous` (that batch's write) has settled, so batches commit, and publish their events,
   * in file order.
   */
  async writeBatch(
    session: QueryRunner,
    tenantId: string,
    importId: string,
    batch: ParsedBatch,
    publish: (m: EntityManager, result: BatchResult) => Promise<void>,
    addressHash: (email: string) => string,
    previous: Promise<unknown> = Promise.resolve(),
  ): Promise<BatchResult> {
    const client = clientOf(session);
    const timings: Record<string, number> = {};
    let mark = Date.now();
    const lap = (step: string) => {
      const now = Date.now();
      timings[step] = now - mark;
      mark = now;
    };
    let result: BatchResult = { created: 0, updated: 0, changed: [], unchanged: 0, keptOff: [], timings };
    if (batch.staged > 0) {
      // R-D2: hashes only when the tenant has hash-only suppressions (erased people who had opted out). R-U4, R-D1:
      // the rows kept off are looked up only when the tenant has contacts to keep something off (a partial index).
      const { rows: tenantState } = await client.query<{ hash_only: boolean; kept: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM suppressions WHERE tenant_id = $1 AND address_hash IS NOT NULL) AS hash_only,
           EXISTS (SELECT 1 FROM contacts WHERE tenant_id = $1 AND (status = 'restricted' OR lists_left <> '{}')) AS kept`,
        [tenantId],
      );
      const hashSuppressed = tenantState[0].hash_only
        ? await this.hashSuppressedEmails(client, tenantId, batch.contacts.emails, addressHash)
        : [];
      lap('suppressions');
      const keptOffRows = tenantState[0].kept ? await this.keptOffRows(client, tenantId, batch) : [];
      lap('keptOff');
      // A statement may not touch a row twice: a repeated address keeps only its batch's later row.
      const source =
        batch.contacts.emails.length < batch.staged
          ? '(SELECT DISTINCT ON (email) * FROM import_staging ORDER BY email, ord DESC)'
          : 'import_staging';
      // RETURNING only what the batch does not know already: its rows now hold exactly the batch's data. (Returning
      // the whole rows instead, to keep nothing per row here, costs the driver ~8 µs a row to parse: more than it
      // saves.) Rows go in address order: two batches of an import may be written at once, and taking their row
      // locks in one order means neither can wait for the other in a cycle (no deadlock).
      const { rows } = await client.query<{
        id: string;
        email: string;
        status: ContactStatus;
        consent_withdrawn: boolean;
        inserted: boolean;
        lists: string[] | null;
      }>(
        `INSERT INTO contacts AS c (tenant_id, id, ${CONTACT_COLUMNS.join(', ')}, status)
         SELECT $1, s.id, ${CONTACT_COLUMNS.map((col) => `s.${col}`).join(', ')},
           CASE WHEN sp.email IS NOT NULL OR s.email = ANY($2::text[]) THEN 'suppressed'
             WHEN s.email = ANY($3::text[]) THEN 'pending' ELSE 'active' END
         FROM ${source} s LEFT JOIN suppressions sp ON sp.tenant_id = $1 AND sp.email = s.email
         ORDER BY s.email
         ${CONTACT_UPSERT_CONFLICT}
         RETURNING c.id, c.email, c.status, ${IMPORT_CONSENT_WITHDRAWN_SQL}, (c.xmax = 0) AS inserted,
           CASE WHEN c.lists_left <> '{}' THEN c.lists END AS lists`,
        [tenantId, hashSuppressed, batch.contacts.doubleOptIn],
      );
      lap('upsert');
      const indexOf = new Map<string, number>();
      batch.contacts.emails.forEach((email, i) => indexOf.set(email, i));
      let created = 0;
      const changed = new Array<ImportedChange>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (r.inserted) created += 1;
        changed[i] = {
          id: r.id,
          status: r.status,
          consentWithdrawn: r.consent_withdrawn,
          index: indexOf.get(r.email)!,
          lists: r.lists ?? undefined,
        };
      }
      result = {
        created,
        updated: rows.length - created,
        changed,
        unchanged: batch.staged - rows.length,
        keptOff: keptOffRows,
        timings,
      };
    }
    // The batch before may still be writing (its upsert or events): from here on batches go in file order.
    await previous;
    lap('previous');
    // The import's row, locked: the file offset must be where this batch starts, or another worker moved on (or the
    // batch before failed, and this one must not be written).
    const { rows: locked } = await client.query<{ offset_bytes: string; error_count: number; kept_off: number }>(
      `SELECT offset_bytes, error_count, kept_off FROM imports WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, importId],
    );
    const progress = locked[0];
    if (!progress || Number(progress.offset_bytes) !== batch.startOffset) throw new ImportSuperseded();
    lap('lock');
    if (result.changed.length > 0) {
      await publish(session.manager, result);
      lap('events');
    }
    const room = Math.max(0, MAX_STORED_ERRORS - progress.error_count);
    const keptRoom = Math.max(0, MAX_STORED_ERRORS - progress.kept_off);
    await client.query(
      `UPDATE imports SET offset_bytes = $3, offset_line = $4, columns = coalesce($5, columns),
         total = total + $6, created = created + $7, updated = updated + $8, unchanged = unchanged + $9,
         rejected = rejected + $10, error_count = error_count + $11, errors = errors || $12::jsonb,
         kept_off = kept_off + $13, kept_off_rows = kept_off_rows || $14::jsonb, updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [
        tenantId,
        importId,
        batch.endOffset,
        batch.endLine,
        batch.columns ?? null,
        batch.total,
        result.created,
        result.updated,
        result.unchanged,
        batch.rejected,
        batch.errors.length,
        JSON.stringify(batch.errors.slice(0, room)),
        result.keptOff.length,
        JSON.stringify(result.keptOff.slice(0, keptRoom)),
      ],
    );
    lap('progress');
    await client.query('COMMIT');
    lap('commit');
    return result;
  }

  /**
   * R-U4, R-D1: the batch's rows kept off, in file order — a restricted contact (left unchanged by the upsert) or
   * lists the person left (kept off by it, `listsKeptOnSql`) — read before the upsert, for the report.
   */
  private async keptOffRows(client: PoolClient, tenantId: string, batch: ParsedBatch): Promise<ImportError[]> {
    const { rows } = await client.query<{ email: string; status: ContactStatus; lists_left: string[] }>(
      `SELECT c.email, c.status, c.lists_left FROM contacts c
       WHERE c.tenant_id = $1 AND (c.status = 'restricted' OR c.lists_left <> '{}')
         AND c.email IN (SELECT email FROM import_staging)`,
      [tenantId],
    );
    if (rows.length === 0) return [];
    const { emails, lists, lines } = batch.contacts;
    const indexOf = new Map(rows.map((r) => [r.email, -1]));
    emails.forEach((email, i) => {
      if (indexOf.has(email)) indexOf.set(email, i);
    });
    const kept: ImportError[] = [];
    for (const r of rows) {
      const i = indexOf.get(r.email)!;
      const off = keptOff({ status: r.status, listsLeft: r.lists_left }, lists[i]);
      if (off) kept.push({ row: lines[i], ...off });
    }
    return kept.sort((a, b) => a.row - b.row);
  }

  /** R-D2: the batch's addresses whose keyed hash is on the suppression list (erased people who had opted out). */
  private async hashSuppressedEmails(
    client: PoolClient,
    tenantId: string,
    emails: string[],
    addressHash: (email: string) => string,
  ): Promise<string[]> {
    const byHash = new Map(emails.map((email) => [addressHash(email), email]));
    const { rows } = await client.query<{ address_hash: string }>(
      `SELECT address_hash FROM suppressions WHERE tenant_id = $1 AND address_hash = ANY($2::text[])`,
      [tenantId, [...byHash.keys()]],
    );
    return rows.map((r) => byHash.get(r.address_hash)!);
  }
}
