import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { PurgeProgressRepository } from './purge-progress.repository';
import { storeName } from './purge.rules';

/** Files under `<DATA_DIR>/<region>/<tenantId>/` (uploaded imports), counted then removed with the folder (R-P2). */
@Injectable()
export class FilePurger {
  constructor(
    private readonly config: MissiveConfig,
    private readonly progress: PurgeProgressRepository,
  ) {}

  folderOf(region: Region, tenantId: string): string {
    return join(this.config.dataDir, region.toLowerCase(), tenantId);
  }

  async purge(region: Region, tenantId: string): Promise<void> {
    const store = storeName('files', region);
    if (await this.progress.isDone(region, tenantId, store)) return;
    const folder = this.folderOf(region, tenantId);
    const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    await this.progress.plan(region, tenantId, store, entries.filter((e) => e.isFile()).length);
    await rm(folder, { recursive: true, force: true });
    await this.progress.finish(region, tenantId, store);
  }
}
