import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MissiveConfig } from '@missive/config';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { RedisClients } from '@missive/redis';
import { permitChunk, permitsGranted, rateLimitKey, RATE_WINDOW_MS, retryAfterSeconds } from './rate-limit.rules';
import type { TenantContext } from './tenant-context';
import { RateLimitedError } from './tenancy.errors';

/**
 * R-X2: per-tenant request rate on the public API, counted in the tenant's region's Redis (R-T2), so every
 * instance shares one budget. Over the limit: 429 with Retry-After. If Redis does not answer, requests pass
 * (the limit protects capacity; refusing every client because of it would be the outage it prevents).
 */
@Injectable()
export class TenantRateLimitGuard implements CanActivate {
  private lastWarning = 0;
  /** Permits this instance reserved from Redis for the current window, per tenant. */
  private readonly local = new Map<string, { window: number; granted: number; used: number }>();

  constructor(
    private readonly redis: RedisClients,
    private readonly config: MissiveConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Synchronous while this instance still holds permits for the window (nearly every request). */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const http = context.switchToHttp();
    const tenant = http.getRequest<{ tenant?: TenantContext }>().tenant;
    if (!tenant) return true;
    const now = Date.now();
    const window = Math.floor(now / RATE_WINDOW_MS);
    const limit = this.config.limits.tenantRatePerSecond;
    let permits = this.local.get(tenant.id);
    if (!permits || permits.window !== window) {
      permits = { window, granted: 0, used: 0 };
      this.local.set(tenant.id, permits);
    }
    if (permits.used < permits.granted) {
      permits.used += 1;
      return true;
    }
    return this.reserve(context, tenant, permits, now, window, limit);
  }

  private async reserve(
    context: ExecutionContext,
    tenant: TenantContext,
    permits: { window: number; granted: number; used: number },
    now: number,
    window: number,
    limit: number,
  ): Promise<boolean> {
    const http = context.switchToHttp();
    const key = rateLimitKey(tenant.region, tenant.id, now);
    const chunk = permitChunk(limit);
    let total: number;
    try {
      const results = await this.redis
        .forRegion(tenant.region)
        .multi()
        .incrby(key, chunk)
        .pexpire(key, RATE_WINDOW_MS * 2)
        .exec();
      total = Number(results?.[0]?.[1] ?? 0);
    } catch (error) {
      if (now - this.lastWarning > 10000) {
        this.lastWarning = now;
        this.logger.warn({ err: error }, 'rate limiter: Redis did not answer; letting requests through');
      }
      return true;
    }
    const granted = permitsGranted(total, chunk, limit);
    if (permits.window === window) permits.granted += granted;
    if (granted === 0) {
      const retryAfter = retryAfterSeconds(now);
      void http.getResponse<FastifyReply>().header('retry-after', String(retryAfter));
      throw new RateLimitedError(retryAfter);
    }
    permits.used += 1;
    return true;
  }
}
