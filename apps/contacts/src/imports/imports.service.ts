import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { Databases } from '@missive/database';
import { DomainError, NotFoundError } from '@missive/http';
import type { TenantContext } from '@missive/tenancy';
import { toImportResponse, type ImportAcceptedResponse, type ImportResponse } from './dto/import.dto';
import { ImportFiles, MAX_IMPORT_BYTES } from './import-files';
import { ImportQueues } from './import-queues';
import { ImportsRepository, type ImportFormat } from './imports.repository';

type Tenant = Pick<TenantContext, 'id' | 'region'>;

export const IMPORT_CONTENT_TYPES: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
};

export function importFormatOf(contentType: string | undefined): ImportFormat | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return IMPORT_CONTENT_TYPES[type] ?? null;
}

/** Accepts an import file (streamed to the tenant's folder, R-C6) and queues it; reports its progress. */
@Injectable()
export class ImportsService {
  constructor(
    private readonly databases: Databases,
    private readonly imports: ImportsRepository,
    private readonly files: ImportFiles,
    private readonly queues: ImportQueues,
  ) {}

  async accept(
    tenant: Tenant,
    contentType: string | undefined,
    contentLength: string | undefined,
    body: unknown,
  ): Promise<ImportAcceptedResponse> {
    const format = importFormatOf(contentType);
    if (!format || !body || typeof (body as Readable).pipe !== 'function') {
      throw new DomainError('unsupported_media_type', 'Send the file as text/csv or application/x-ndjson', 415, [
        { field: 'content-type', reason: 'must be text/csv or application/x-ndjson' },
      ]);
    }
    const id = randomUUID();
    const path = this.files.pathOf(tenant.region, tenant.id, id);
    if (Number(contentLength) > MAX_IMPORT_BYTES) {
      throw new DomainError('payload_too_large', `An import file may hold ${MAX_IMPORT_BYTES} bytes`, 413);
    }
    const fileBytes = await this.files.save(body as Readable, path, {
      declaredBytes: Number(contentLength) || undefined,
    });
    try {
      await this.databases.withTenant(tenant.region, tenant.id, (m) =>
        this.imports.create(m, tenant.id, { id, format, filePath: path, fileBytes }),
      );
    } catch (error) {
      await this.files.remove(path);
      throw error;
    }
    // Queued only once the row is committed, so the worker always finds it.
    try {
      await this.queues.enqueue({ importId: id, tenantId: tenant.id, region: tenant.region });
    } catch (error) {
      await this.databases.withTenant(tenant.region, tenant.id, (m) =>
        this.imports.finish(m, tenant.id, id, 'failed', { failure: 'could not be queued' }),
      );
      await this.files.remove(path);
      throw error;
    }
    return { id, status: 'queued' };
  }

  async get(tenant: Tenant, id: string): Promise<ImportResponse> {
    const row = await this.databases.withTenant(tenant.region, tenant.id, (m) => this.imports.find(m, tenant.id, id));
    if (!row) throw new NotFoundError('Import');
    return toImportResponse(row);
  }
}
