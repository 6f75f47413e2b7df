import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Databases } from '@missive/database';
import { DomainError, InvalidInputError } from '@missive/http';
import type { TenantContext } from '@missive/tenancy';
import { parseCsvChunk } from '../imports/csv-chunk';
import { ImportFiles } from '../imports/import-files';
import { MAX_STORED_ERRORS, type ImportError } from '../imports/imports.repository';
import { frameRecords } from '../imports/record-framer';
import type { SuppressionImportResponse } from './dto/suppression.dto';
import { planSuppressionColumns, suppressionOfRecord, type SuppressionColumns } from './suppression-import.rules';
import type { SuppressionInput } from './suppression.rules';
import { SuppressionsService } from './suppressions.service';

type Tenant = Pick<TenantContext, 'id' | 'region'>;

/**
 * A suppression file may hold this many bytes: about a million addresses, written in about a minute on the benchmark
 * machine (1,000,000 new addresses: 63 s under load, with their million `suppression.changed` events), so the
 * request can answer with the outcome; larger lists go in several files.
 */
export const MAX_SUPPRESSION_IMPORT_BYTES = 32 * 1024 * 1024;
/** Addresses per statement: the insert, the contacts update and the events of a batch are one round trip each. */
const BATCH_ROWS = 5000;
/** A suppression row is an address and a short reason; a longer record is refused alone. */
const MAX_RECORD_BYTES = 16 * 1024;

export const SUPPRESSION_FILE_TOO_LARGE = `A suppression file may hold ${MAX_SUPPRESSION_IMPORT_BYTES} bytes; split larger lists`;

function tooLarge(): DomainError {
  return new DomainError('payload_too_large', SUPPRESSION_FILE_TOO_LARGE, 413);
}

/**
 * CSV import of suppressions (R-U5): `POST /v1/suppressions/imports`, a `text/csv` body with an `email` column and
 * an optional `reason`. The body is first spooled to the tenant's import folder, so no transaction is open while the
 * client is still sending (R-X6: a stalled upload holds no database connection). The file is then framed and parsed
 * as contact imports are, checked row by row by the single-add rule, written 5,000 addresses at a time through
 * `SuppressionsService.addAll` (so the matching contacts become suppressed and the same events go out, R-C7, R-X5)
 * — all in one tenant transaction: the answer describes exactly what was committed, and a failed request leaves
 * nothing behind (R-C5) and can simply be sent again. Synchronous, not a queued job like contact imports: rows are
 * tiny, the cap keeps a request under a minute, re-sending is harmless (already listed addresses are counted, not
 * changed), and the spooled file is deleted once answered.
 */
@Injectable()
export class SuppressionImportsService {
  constructor(
    private readonly databases: Databases,
    private readonly suppressions: SuppressionsService,
    private readonly files: ImportFiles,
  ) {}

  async import(
    tenant: Tenant,
    contentType: string | undefined,
    contentLength: string | undefined,
    body: unknown,
  ): Promise<SuppressionImportResponse> {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'text/csv' || !body || typeof (body as Readable).pipe !== 'function') {
      throw new DomainError('unsupported_media_type', 'Send the suppression list as text/csv', 415, [
        { field: 'content-type', reason: 'must be text/csv' },
      ]);
    }
    if (Number(contentLength) > MAX_SUPPRESSION_IMPORT_BYTES) throw tooLarge();
    const path = this.files.pathOf(tenant.region, tenant.id, `suppressions-${randomUUID()}.csv`);
    await this.files.save(body as Readable, path, {
      limit: MAX_SUPPRESSION_IMPORT_BYTES,
      tooLarge,
      declaredBytes: Number(contentLength) || undefined,
    });
    try {
      return await this.databases.withTenant(tenant.region, tenant.id, (m) =>
        this.stream(m, tenant, createReadStream(path)),
      );
    } finally {
      await this.files.remove(path);
    }
  }

  private async stream(m: EntityManager, tenant: Tenant, file: Readable): Promise<SuppressionImportResponse> {
    const answer: SuppressionImportResponse = {
      received: 0,
      added: 0,
      alreadySuppressed: 0,
      rejected: 0,
      errors: [],
      errorCount: 0,
    };
    const report = (errors: ImportError[]) => {
      answer.errorCount += errors.length;
      for (const e of errors) if (answer.errors.length < MAX_STORED_ERRORS) answer.errors.push(e);
    };
    let columns: SuppressionColumns | null = null;
    // The batch's addresses, each once: a repeat in the file is already suppressed by its first row.
    let batch = new Map<string, SuppressionInput>();
    const flush = async () => {
      if (batch.size === 0) return;
      const suppressions = [...batch.values()];
      batch = new Map();
      const added = await this.suppressions.addAll(m, tenant, suppressions);
      answer.added += added.length;
      answer.alreadySuppressed += suppressions.length - added.length;
    };

    for await (const chunk of frameRecords(file, {
      quoted: true,
      maxRecordBytes: MAX_RECORD_BYTES,
    })) {
      const parsed = parseCsvChunk(chunk);
      let next = 0;
      for (const rec of chunk.records) {
        const values = rec.bad ? null : parsed[next++];
        if (columns === null) {
          const plan = values ? planSuppressionColumns(values) : null;
          if (!plan?.ok) {
            throw new InvalidInputError(
              'The suppression file needs a header row with an email column',
              [
                ...(plan?.problems ?? [{ field: 'email', reason: `the header line ${rec.bad ?? 'cannot be read'}` }]),
              ].map((p) => ({ row: rec.line, ...p })),
            );
          }
          columns = plan.columns;
          report(columns.problems.map((p) => ({ row: rec.line, ...p })));
          continue;
        }
        answer.received += 1;
        const result = rec.bad
          ? { ok: false as const, errors: [{ field: 'row', reason: rec.bad }] }
          : values
            ? suppressionOfRecord(columns, values, rec.notUtf8)
            : { ok: false as const, errors: [{ field: 'row', reason: 'broken CSV quoting' }] };
        if (!result.ok) {
          answer.rejected += 1;
          report(result.errors.map((e) => ({ row: rec.line, ...e })));
        } else if (batch.has(result.suppression.email)) {
          answer.alreadySuppressed += 1;
        } else {
          batch.set(result.suppression.email, result.suppression);
          if (batch.size >= BATCH_ROWS) await flush();
        }
      }
    }
    if (columns === null) {
      throw new InvalidInputError('The suppression file is empty', [{ row: 0, field: 'file', reason: 'is empty' }]);
    }
    await flush();
    return answer;
  }
}
