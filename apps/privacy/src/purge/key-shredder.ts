import { Injectable } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { TenantKeys } from '@missive/tenant-keys';
import { PurgeProgressRepository } from './purge-progress.repository';
import { storeName } from './purge.rules';

/**
 * Kafka's share of the purge (R-P2), by crypto-shredding: events carry ids, and their personal fields are sealed
 * with the tenant's data key; destroying the key leaves every copy in every topic unreadable, and topic retention
 * (12 days, 1-day segments) removes even the ciphertext before the 14 days are out.
 */
@Injectable()
export class KeyShredder {
  constructor(
    private readonly databases: Databases,
    private readonly keys: TenantKeys,
    private readonly progress: PurgeProgressRepository,
  ) {}

  async purge(region: Region, tenantId: string): Promise<void> {
    const store = storeName('kafka-keys', region);
    if (await this.progress.isDone(region, tenantId, store)) return;
    await this.databases.withTenant(region, tenantId, async (m) => {
      const destroyed = await this.keys.destroy(region, tenantId, m);
      await this.progress.add(m, tenantId, store, destroyed);
    });
    await this.progress.finish(region, tenantId, store);
  }
}
