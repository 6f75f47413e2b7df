import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { DomainError } from '@missive/http';

/** R-C6: a whole import file, 200 MB promised, with room to spare; JSON bodies keep the 1 MB limit. */
export const MAX_IMPORT_BYTES = 250 * 1024 * 1024;
export const IMPORT_FILE_TOO_LARGE = `An import file may hold ${MAX_IMPORT_BYTES} bytes`;

/**
 * Uploaded import files, kept only while the import needs them, under
 * `<DATA_DIR>/<region>/<tenantId>/imports/<importId>`: the tenant's region, and a per-tenant folder the purge
 * deletes whole (R-T2, R-P2).
 */
@Injectable()
export class ImportFiles {
  constructor(private readonly config: MissiveConfig) {}

  tenantFolder(region: Region, tenantId: string): string {
    return join(this.config.dataDir, region.toLowerCase(), tenantId, 'imports');
  }

  pathOf(region: Region, tenantId: string, importId: string): string {
    return join(this.tenantFolder(region, tenantId), importId);
  }

  /**
   * Streams the upload to disk (never held whole in memory); `tooLarge` (413) past the limit. Returns the byte count.
   * No database connection is held meanwhile: a client sending slowly holds only its socket and this file (R-X6).
   */
  async save(
    body: Readable,
    path: string,
    limit = MAX_IMPORT_BYTES,
    tooLarge = () => new DomainError('payload_too_large', `An import file may hold ${limit} bytes`, 413),
  ): Promise<number> {
    await mkdir(join(path, '..'), { recursive: true });
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > limit) done(tooLarge());
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(path, { flags: 'w' }));
    } catch (error) {
      await this.remove(path);
      throw error;
    }
    return bytes;
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }
}
