import Redis from 'ioredis';
import type { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import type { Logger } from '@missive/observability';

/**
 * One ioredis connection per region (R-T2: `REDIS_URL_NA` / `_EEA`), shared when both regions use the same URL.
 * Keys that concern a tenant start with the region prefix and the tenant id (`na:t:<tenantId>:…`) so the
 * purge can find them all (R-P2).
 */
export class RedisClients {
  private readonly clients: Record<Region, Redis>;

  constructor(config: MissiveConfig) {
    const make = (url: string) =>
      new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true });
    const na = make(config.redis.NA);
    this.clients = { NA: na, EEA: config.redis.EEA === config.redis.NA ? na : make(config.redis.EEA) };
  }

  forRegion(region: Region): Redis {
    return this.clients[region];
  }

  distinct(): Redis[] {
    return [...new Set(Object.values(this.clients))];
  }

  async connect(): Promise<void> {
    await Promise.all(this.distinct().map((r) => (r.status === 'wait' ? r.connect() : undefined)));
  }

  async close(): Promise<void> {
    await Promise.all(this.distinct().map((r) => r.quit().catch(() => r.disconnect())));
  }
}

/**
 * BullMQ requires `maxmemory-policy noeviction`: an evicting Redis silently drops queued jobs. Set it where we
 * may (a local Redis), and warn loudly where we cannot.
 */
export async function ensureNoEviction(redis: Redis, logger: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy === 'noeviction') return;
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    logger.warn(`Redis maxmemory-policy was "${policy}"; set it to "noeviction" as BullMQ requires`);
  } catch (error) {
    logger.error(
      { err: error },
      'REDIS IS NOT CONFIRMED TO USE maxmemory-policy noeviction: BullMQ jobs may be evicted. Set it on the server.',
    );
  }
}
