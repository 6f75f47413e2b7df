import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { RedisClients, tenantRedisKey } from '@missive/redis';

/**
 * A virtual schedule shared by every worker (GCRA): the key holds the time, in microseconds, at which the tenant's
 * next message may go. Reserving n permits returns how long to wait before using them and moves that time n
 * intervals on. Redis's own clock, so workers on different machines agree.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + tonumber(ARGV[1]) * tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.floor((nextTat - now) / 1000) + 1000)
return math.floor((tat - now) / 1000)
`;

/** Permits are reserved in groups of at most a tenth of a second's worth: bursts stay within rate / 10. */
export function permitGroup(ratePerSecond: number, wanted: number): number {
  return Math.max(1, Math.min(wanted, Math.floor(ratePerSecond / 10)));
}

/**
 * Per-tenant send rate (R-S5), enforced across every worker and process through the region's Redis, under the
 * tenant's key prefix so the purge removes it (R-P2). Reserving before claiming keeps claims from waiting.
 */
@Injectable()
export class SendRateLimiter {
  constructor(
    private readonly config: MissiveConfig,
    private readonly redis: RedisClients,
  ) {}

  /** How many permits to ask for at once when `wanted` messages could go now. */
  groupSize(wanted: number): number {
    return permitGroup(this.config.limits.tenantSendRatePerSecond, wanted);
  }

  /** Reserves `n` sends for the tenant and resolves when they may go. */
  async reserve(region: Region, tenantId: string, n: number): Promise<void> {
    const intervalMicros = Math.round(1_000_000 / this.config.limits.tenantSendRatePerSecond);
    const waitMs = Number(
      await this.redis
        .forRegion(region)
        .eval(RESERVE, 1, tenantRedisKey(region, tenantId, 'send-rate'), n, intervalMicros),
    );
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
