import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MissiveConfig } from '@missive/config';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { RedisClients } from '@missive/redis';
import { rateLimitKey, RATE_WINDOW_MS, retryAfterSeconds } from './rate-limit.rules';
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

  constructor(
    private readonly redis: RedisClients,
    private readonly config: MissiveConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const tenant = http.getRequest<{ tenant?: TenantContext }>().tenant;
    if (!tenant) return true;
    const now = Date.now();
    const key = rateLimitKey(tenant.region, tenant.id, now);
    let count: number;
    try {
      const results = await this.redis
        .forRegion(tenant.region)
        .multi()
        .incr(key)
        .pexpire(key, RATE_WINDOW_MS * 2)
        .exec();
      count = Number(results?.[0]?.[1] ?? 0);
    } catch (error) {
      if (now - this.lastWarning > 10000) {
        this.lastWarning = now;
        this.logger.warn({ err: error }, 'rate limiter: Redis did not answer; letting requests through');
      }
      return true;
    }
    if (count > this.config.limits.tenantRatePerSecond) {
      const retryAfter = retryAfterSeconds(now);
      void http.getResponse<FastifyReply>().header('retry-after', String(retryAfter));
      throw new RateLimitedError(retryAfter);
    }
    return true;
  }
}
