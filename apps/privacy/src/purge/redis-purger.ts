import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Region } from '@missive/contracts';
import { RedisClients, tenantRedisKey } from '@missive/redis';
import { PurgeProgressRepository } from './purge-progress.repository';
import { storeName } from './purge.rules';

/** Every key matching `pattern` (SCAN, never KEYS: the region's Redis keeps serving while the purge runs). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== '0');
  return [...keys];
}

/**
 * The tenant's Redis keys (R-P2): all of them start `<region>:t:<tenantId>:` (libs/redis tenantRedisKey) —
 * opt-out sets, rate-limit counters, campaign link maps. Counted before deleting (Redis has no transaction to
 * count in), then unlinked in chunks.
 */
@Injectable()
export class RedisPurger {
  constructor(
    private readonly redis: RedisClients,
    private readonly progress: PurgeProgressRepository,
  ) {}

  async purge(region: Region, tenantId: string): Promise<void> {
    const store = storeName('redis', region);
    if (await this.progress.isDone(region, tenantId, store)) return;
    const redis = this.redis.forRegion(region);
    const pattern = tenantRedisKey(region, tenantId, '*');
    let keys = await scanKeys(redis, pattern);
    await this.progress.plan(region, tenantId, store, keys.length);
    // A second pass catches a key written while the first ran (a late rate-limit counter).
    for (let pass = 0; pass < 3 && keys.length > 0; pass++) {
      for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
      keys = await scanKeys(redis, pattern);
    }
    await this.progress.finish(region, tenantId, store);
  }

  /** R-P6: the keys of an already purged tenant that came back, deleted; returns how many. */
  async removeLeftovers(region: Region, tenantId: string): Promise<number> {
    const redis = this.redis.forRegion(region);
    const keys = await scanKeys(redis, tenantRedisKey(region, tenantId, '*'));
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
    return keys.length;
  }
}
