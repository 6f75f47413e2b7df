import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager, QueryRunner } from 'typeorm';
import { CONTACT_COLUMNS, type ContactData, type ContactStatus } from '@missive/contact-domain';
import { CONTACT_UPSERT_CONFLICT } from '../contacts/contacts.repository';
import type { ImportedChange } from './import-events';

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';
export type ImportFormat = 'csv' | 'ndjson';

export interface ImportError {
  row: number;
  field: string;
  reason: string;
}

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
  failure: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Stored per-row errors are capped (counts stay exact); API.md states the cap. */
export const MAX_STORED_ERRORS = 1000;

/** One batch of an import, ready to write: COPY lines of the valid rows and the batch's counts and errors. */
export interface ImportBatch {
  copyText: string;
  /** The valid rows' normalised addresses, one per COPY line. */
  emails: string[];
  /** The valid rows as written, one per COPY line (what their `contact.changed` events carry). */
  contacts: ContactData[];
  rows: number;
  total: number;
  rejected: number;
  /** Valid rows replaced by a later row with the same address in the same batch (counted as unchanged). */
  superseded: number;
  errors: ImportError[];
  /** Where the next batch starts: the file offset and line number, committed with this batch. */
  startOffset: number;
  endOffset: number;
  endLine: number;
  /** The CSV header, stored with the first batch so a resumed import knows its columns. */
  columns?: string[];
}

export interface BatchResult {
  createdIds: string[];
  updatedIds: string[];
  /** The created and updated contacts: ids, new status and the data written, for their `contact.changed` events. */
  changed: ImportedChange[];
  unchanged: number;
}

/** Another worker moved this import on (its lock had expired): this run must stop without writing. */
export class ImportSuperseded extends Error {
  constructor() {
    super('the import was moved on by another worker');
  }
}

/**
 * A time-ordered (version 7) UUID for each contact an import creates. A random id (the table's default) puts each
 * new row on a random page of the primary-key index, so a 10,000-row batch read and dirtied ~9,000 index pages
 * (and as many full-page images in the WAL); ids from the clock land on the index's right edge, a few hundred.
 * 48 bits of milliseconds, the version, and 74 random bits.
 */
const TIME_ORDERED_UUID_SQL = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
  placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
  52, 1), 53, 1), 'hex')::uuid`;

/**
 * CONSENT_WITHDRAWN_SQL, with its history lookup skipped for the contacts the statement created (`xmax = 0`): a
 * new id has no history yet, so only updated contacts without consent need the index probe.
 */
const IMPORT_CONSENT_WITHDRAWN_SQL = `(c.consent IS NULL AND NOT (c.xmax = 0) AND EXISTS
  (SELECT 1 FROM consents h WHERE h.tenant_id = c.tenant_id AND h.contact_id = c.id)) AS consent_withdrawn`;

const STAGING_COLUMNS = `email text, first_name text, last_name text, phone text, locale text, region text,
  lawful_basis text, consent jsonb, tracking_consent boolean, birth_date date, attributes jsonb, lists text[],
  tags text[]`;

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

  /**
   * Writes one batch in one transaction with `app.tenant_id` set (R-T1): COPY into a temporary staging table,
   * ONE set-based upsert (R-C1, R-C6, R-C7), the batch's `contact.changed` events (via `publish`, R-X5), and the
   * import's progress, counts and capped errors — so a crash loses nothing and repeats nothing (R-C6).
   */
  async writeBatch(
    runner: QueryRunner,
    tenantId: string,
    importId: string,
    batch: ImportBatch,
    publish: (m: EntityManager, result: BatchResult) => Promise<void>,
    addressHash: (email: string) => string,
  ): Promise<BatchResult> {
    const m = runner.manager;
    await runner.startTransaction();
    try {
      await m.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      const [progress]: { offset_bytes: string; error_count: number }[] = await m.query(
        `SELECT offset_bytes, error_count FROM imports WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
        [tenantId, importId],
      );
      if (!progress || Number(progress.offset_bytes) !== batch.startOffset) throw new ImportSuperseded();
      let result: BatchResult = { createdIds: [], updatedIds: [], changed: [], unchanged: batch.superseded };
      if (batch.rows > 0) {
        // Created once per session and emptied by each commit (not created and dropped per batch: that churns the
        // catalog with every batch).
        await m.query(`CREATE TEMPORARY TABLE IF NOT EXISTS import_staging (${STAGING_COLUMNS}) ON COMMIT DELETE ROWS`);
        // The query runner's own pg client, so the COPY is part of this transaction.
        const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
        await pipeline(Readable.from([batch.copyText]), client.query(copyFrom('COPY import_staging FROM STDIN')));
        const hashSuppressed = await this.hashSuppressedEmails(m, tenantId, batch.emails, addressHash);
        // RETURNING only what the batch does not know already: its rows now hold exactly the batch's data.
        const rows: {
          id: string;
          email: string;
          status: ContactStatus;
          consent_withdrawn: boolean;
          inserted: boolean;
        }[] = await m.query(
          `INSERT INTO contacts AS c (tenant_id, id, ${CONTACT_COLUMNS.join(', ')}, status)
           SELECT $1, ${TIME_ORDERED_UUID_SQL}, ${CONTACT_COLUMNS.map((col) => `s.${col}`).join(', ')},
             CASE WHEN sp.email IS NULL AND s.email <> ALL($2::text[]) THEN 'active' ELSE 'suppressed' END
           FROM import_staging s LEFT JOIN suppressions sp ON sp.tenant_id = $1 AND sp.email = s.email
           ${CONTACT_UPSERT_CONFLICT}
           RETURNING c.id, c.email, c.status, ${IMPORT_CONSENT_WITHDRAWN_SQL}, (c.xmax = 0) AS inserted`,
          [tenantId, hashSuppressed],
        );
        const createdIds: string[] = [];
        const updatedIds: string[] = [];
        const lineOf = new Map(batch.emails.map((email, i) => [email, i]));
        const changed: ImportedChange[] = rows.map((r) => {
          (r.inserted ? createdIds : updatedIds).push(r.id);
          const contact = batch.contacts[lineOf.get(r.email)!];
          return { id: r.id, status: r.status, consentWithdrawn: r.consent_withdrawn, contact };
        });
        result = {
          createdIds,
          updatedIds,
          changed,
          unchanged: batch.superseded + batch.rows - rows.length,
        };
        await publish(m, result);
      }
      const room = Math.max(0, MAX_STORED_ERRORS - progress.error_count);
      await m.query(
        `UPDATE imports SET offset_bytes = $3, offset_line = $4, columns = coalesce($5, columns),
           total = total + $6, created = created + $7, updated = updated + $8, unchanged = unchanged + $9,
           rejected = rejected + $10, error_count = error_count + $11, errors = errors || $12::jsonb,
           updated_at = now()
         WHERE tenant_id = $1 AND id = $2`,
        [
          tenantId,
          importId,
          batch.endOffset,
          batch.endLine,
          batch.columns ?? null,
          batch.total,
          result.createdIds.length,
          result.updatedIds.length,
          result.unchanged,
          batch.rejected,
          batch.errors.length,
          JSON.stringify(batch.errors.slice(0, room)),
        ],
      );
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    }
  }

  /**
   * R-D2: the batch's addresses whose keyed hash is on the suppression list (erased people who had opted out).
   * Hashes are computed only when the tenant has such rows at all, so a normal import pays one indexed EXISTS.
   */
  private async hashSuppressedEmails(
    m: EntityManager,
    tenantId: string,
    emails: string[],
    addressHash: (email: string) => string,
  ): Promise<string[]> {
    const [{ any }]: { any: boolean }[] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM suppressions WHERE tenant_id = $1 AND address_hash IS NOT NULL) AS any`,
      [tenantId],
    );
    if (!any) return [];
    const byHash = new Map(emails.map((email) => [addressHash(email), email]));
    const found: { address_hash: string }[] = await m.query(
      `SELECT address_hash FROM suppressions WHERE tenant_id = $1 AND address_hash = ANY($2::text[])`,
      [tenantId, [...byHash.keys()]],
    );
    return found.map((r) => byHash.get(r.address_hash)!);
  }
}
