import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { Metrics } from '@missive/observability';
import { RedisClients } from './redis-clients';
import {
  ipKey,
  limitsOff,
  recipientVerdict,
  subjectKey,
  subjectWindowSeconds,
  type RecipientLimits,
  type RecipientSubject,
  type RecipientVerdict,
} from './recipient-limits.rules';

/**
 * Counts a batch of requests, each in its IP's one-minute window and, unless the IP is over its limit, in its
 * subject's window; answers both counts of each. ARGV: the IP limit (0: IPs are not counted), the subject window, then
 * each request's number of keys (1: IP only, 2: IP and subject), its keys in KEYS in the same order. Atomic, so
 * replicas sharing the region's Redis agree on which replay came first.
 */
const COUNT_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local out = {}
local k = 1
for i = 3, #ARGV do
  local n = tonumber(ARGV[i])
  local ip = 0
  local subject = 0
  if limit > 0 then
    ip = redis.call('INCR', KEYS[k])
    if ip == 1 then redis.call('EXPIRE', KEYS[k], 60) end
  end
  if n == 2 and (limit == 0 or ip <= limit) then
    subject = redis.call('INCR', KEYS[k + 1])
    if subject == 1 then redis.call('EXPIRE', KEYS[k + 1], window) end
  end
  out[#out + 1] = ip
  out[#out + 1] = subject
  k = k + n
end
return out
`;

/** Checks per script call: Redis runs a script alone, so a batch stays well under a millisecond. */
const MAX_BATCH = 256;

/** Redis slower than this does not hold a recipient's answer: the request is then recorded unchecked. */
const REDIS_TIMEOUT_MS = 250;

type CountingRedis = Redis & {
  recipientCount(keys: number, ...args: (string | number)[]): Promise<number[]>;
};

interface PendingCheck {
  keys: string[];
  settle: (counts: [number, number] | null) => void;
}

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
  /** Checks waiting for this turn of the event loop to end, per region: they leave together in one script call. */
  private readonly queues = new Map<Region, PendingCheck[]>();

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
    if (limitsOff(this.limits)) return 'record';
    const region: Region = subject?.region ?? this.config.regions[0];
    const keys = [ipKey(region, ip ?? 'unknown', this.secret), ...(subject ? [subjectKey(subject, this.secret)] : [])];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), REDIS_TIMEOUT_MS);
    });
    const counted = this.count(region, keys);
    const counts = await Promise.race([counted, timeout]);
    clearTimeout(timer);
    const verdict: RecipientCheck = counts
      ? recipientVerdict({ ip: counts[0], subject: counts[1] }, this.limits)
      : 'unchecked';
    this.metrics.recipientRequests.inc({ route, verdict: subject ? verdict : 'invalid' });
    return verdict;
  }

  /**
   * Group commit, as the hit publisher does for Kafka: the checks of the requests read in one turn of the event loop
   * share one round trip, so Redis and this process work per batch rather than per hit.
   */
  private count(region: Region, keys: string[]): Promise<[number, number] | null> {
    return new Promise((settle) => {
      let queue = this.queues.get(region);
      if (!queue) {
        queue = [];
        this.queues.set(region, queue);
        setImmediate(() => this.flush(region));
      }
      queue.push({ keys, settle });
    });
  }

  private flush(region: Region): void {
    const queue = this.queues.get(region) ?? [];
    this.queues.delete(region);
    for (let i = 0; i < queue.length; i += MAX_BATCH) {
      const batch = queue.slice(i, i + MAX_BATCH);
      const keys = batch.flatMap((check) => check.keys);
      const window = subjectWindowSeconds(this.limits);
      const shape = batch.map((check) => check.keys.length);
      this.client(region)
        .recipientCount(keys.length, ...keys, this.limits.perIpPerMinute, window, ...shape)
        .then(
          (counts) => batch.forEach((check, j) => check.settle([counts[2 * j], counts[2 * j + 1]])),
          () => batch.forEach((check) => check.settle(null)),
        );
    }
  }

  private client(region: Region): CountingRedis {
    const redis = this.redis.forRegion(region) as CountingRedis;
    if (typeof redis.recipientCount !== 'function') redis.defineCommand('recipientCount', { lua: COUNT_SCRIPT });
    return redis;
  }
}
