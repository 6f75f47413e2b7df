import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { Metrics } from '@missive/observability';
import { RedisClients } from './redis-clients';
import {
  ipKey,
  recipientVerdict,
  subjectKey,
  subjectWindowSeconds,
  type RecipientLimits,
  type RecipientSubject,
  type RecipientVerdict,
} from './recipient-limits.rules';

/**
 * Counts the request in its IP's one-minute window and, unless the IP is over its limit, in its subject's window;
 * answers both counts. One round trip, atomic, so replicas sharing the region's Redis agree on which replay came
 * first. The IP is not counted when its limit is off (ARGV[1] = 0).
 */
const COUNT_SCRIPT = `
local limit = tonumber(ARGV[1])
local ip = 0
if limit > 0 then
  ip = redis.call('INCR', KEYS[1])
  if ip == 1 then redis.call('EXPIRE', KEYS[1], 60) end
  if ip > limit then return {ip, 0} end
end
if #KEYS < 2 then return {ip, 0} end
local subject = redis.call('INCR', KEYS[2])
if subject == 1 then redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2])) end
return {ip, subject}
`;

/** Redis slower than this does not hold a recipient's answer: the request is then recorded unchecked. */
const REDIS_TIMEOUT_MS = 250;

type CountingRedis = Redis & {
  recipientCount(keys: number, ...args: (string | number)[]): Promise<[number, number]>;
};

/** The limiter's answer, or `unchecked` when Redis did not answer in time (record: no hit may be lost, R-K5). */
export type RecipientCheck = RecipientVerdict | 'unchecked';

/**
 * Per-IP and per-token limits and replay detection of the recipient routes (R-X6), shared by every replica through
 * the region's Redis. It only says whether a request may record something; the routes answer the same either way.
 */
@Injectable()
export class RecipientLimiter {
  private readonly limits: RecipientLimits;
  private readonly secret: string;

  constructor(
    private readonly config: MissiveConfig,
    private readonly redis: RedisClients,
    private readonly metrics: Metrics,
  ) {
    const { limits } = config;
    this.limits = {
      perIpPerMinute: limits.recipientRatePerIpPerMinute,
      perTokenPerMinute: limits.recipientRatePerTokenPerMinute,
      replayWindowSeconds: limits.recipientReplayWindowSeconds,
    };
    // Every replica has the link-token keys, and they are secret: the digests in key names agree across replicas
    // and cannot be reversed to an IP address or a contact.
    this.secret = `recipient-limits:${config.linkTokenKeys[0].secret}`;
  }

  /**
   * Counts a request from `ip` for `subject` (a verified token's), or for no subject (a token that did not verify, or
   * whose tenant is gone: only its IP is counted, in the first served region's Redis, and it takes the same round
   * trip as a valid one).
   */
  async check(route: string, ip: string | undefined, subject: RecipientSubject | null): Promise<RecipientCheck> {
    const region: Region = subject?.region ?? this.config.regions[0];
    const keys = [ipKey(region, ip ?? 'unknown', this.secret), ...(subject ? [subjectKey(subject, this.secret)] : [])];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), REDIS_TIMEOUT_MS);
    });
    const counted = this.client(region)
      .recipientCount(keys.length, ...keys, this.limits.perIpPerMinute, subjectWindowSeconds(this.limits))
      .catch(() => null);
    const counts = await Promise.race([counted, timeout]);
    clearTimeout(timer);
    const verdict: RecipientCheck = counts
      ? recipientVerdict({ ip: counts[0], subject: counts[1] }, this.limits)
      : 'unchecked';
    this.metrics.recipientRequests.inc({ route, verdict: subject ? verdict : 'invalid' });
    return verdict;
  }

  private client(region: Region): CountingRedis {
    const redis = this.redis.forRegion(region) as CountingRedis;
    if (typeof redis.recipientCount !== 'function') redis.defineCommand('recipientCount', { lua: COUNT_SCRIPT });
    return redis;
  }
}
