import { regionPrefix, type Region } from '@missive/contracts';

/** Fixed one-second windows: simple, one Redis round trip, and at most twice the limit across a boundary. */
export const RATE_WINDOW_MS = 1000;

/**
 * R-X2, R-P2: the Redis key counting one tenant's requests in one window. It starts with the region and tenant
 * (`na:t:<tenantId>:…`) like every tenant key, so the purge finds it.
 */
export function rateLimitKey(region: Region, tenantId: string, nowMs: number): string {
  return `${regionPrefix(region)}:t:${tenantId}:rl:${Math.floor(nowMs / RATE_WINDOW_MS)}`;
}

/** Whole seconds until the current window ends (Retry-After is in seconds; never 0). */
export function retryAfterSeconds(nowMs: number): number {
  return Math.max(1, Math.ceil((RATE_WINDOW_MS - (nowMs % RATE_WINDOW_MS)) / 1000));
}

/**
 * How many permits an instance reserves from Redis at once (R-X2): a twentieth of the limit, 1 to 100. Reserving
 * in chunks keeps the Redis round trip off most requests (issue 4: at 10 per chunk it was 1.5 % of a busy
 * process's CPU) while the limit stays global: an instance can hold at most 5 % of the window unused. Limits
 * under 40 reserve one permit at a time, so they are exact.
 */
export function permitChunk(limitPerWindow: number): number {
  return Math.max(1, Math.min(100, Math.floor(limitPerWindow / 20)));
}

/**
 * After reserving `chunk` permits with INCRBY, Redis answered `total` (all instances' reservations this window).
 * The permits this instance may use: those of its chunk that fall inside the limit.
 */
export function permitsGranted(total: number, chunk: number, limitPerWindow: number): number {
  const before = total - chunk;
  return Math.max(0, Math.min(chunk, limitPerWindow - before));
}
