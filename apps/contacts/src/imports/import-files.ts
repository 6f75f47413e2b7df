import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { DomainError } from '@missive/http';

/** R-C6: a whole import file, 200 MB promised, with room to spare; JSON bodies keep the 1 MB limit. */
export const MAX_IMPORT_BYTES = 250 * 1024 * 1024;
export const IMPORT_FILE_TOO_LARGE = `An import file may hold ${MAX_IMPORT_BYTES} bytes`;
/** While a file streams in, the tenant's folder is measured again this often, so concurrent uploads see each other. */
const QUOTA_RECHECK_BYTES = 8 * 1024 * 1024;

export interface SaveOptions {
  /** Most bytes this file may hold. */
  limit?: number;
  /** The error past `limit` (413). */
  tooLarge?: () => Error;
  /** The request's `content-length`, if any: refused at once when it cannot fit the tenant's quota. */
  declaredBytes?: number;
}

/** Bytes of the files in `folder` other than `except` (a file being written or deleted meanwhile counts as 0). */
async function folderBytes(folder: string, except: string): Promise<number> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const sizes = await Promise.all(
    names
      .map((name) => join(folder, name))
      .filter((path) => path !== except)
      .map((path) =>
        stat(path).then(
          (s) => (s.isFile() ? s.size : 0),
          () => 0,
        ),
      ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

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
   * The tenant's folder (its waiting imports and the uploads under way) may hold TENANT_IMPORT_QUOTA_BYTES at once:
   * past it, 413 naming the quota (R-X6), so one tenant cannot fill the volume every tenant's imports share.
   */
  async save(body: Readable, path: string, options: SaveOptions = {}): Promise<number> {
    const limit = options.limit ?? MAX_IMPORT_BYTES;
    const tooLarge = options.tooLarge ?? (() => new DomainError('payload_too_large', IMPORT_FILE_TOO_LARGE, 413));
    const quota = this.config.limits.tenantImportQuotaBytes;
    const folder = dirname(path);
    let others = await folderBytes(folder, path);
    if (others + (options.declaredBytes ?? 0) > quota) throw overQuota(quota, others);
    await mkdir(folder, { recursive: true });
    let bytes = 0;
    let measuredAt = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > limit) return done(tooLarge());
        const check = () => (others + bytes > quota ? done(overQuota(quota, others)) : done(null, chunk));
        if (bytes - measuredAt < QUOTA_RECHECK_BYTES) return check();
        measuredAt = bytes;
        folderBytes(folder, path).then((n) => {
          others = n;
          check();
        }, done);
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

function overQuota(quota: number, used: number): DomainError {
  return new DomainError(
    'payload_too_large',
    `A tenant's import files may hold ${quota} bytes on disk at once (${used} in use); retry once running imports finish`,
    413,
    [{ field: 'body', reason: `over the import quota of ${quota} bytes` }],
  );
}
