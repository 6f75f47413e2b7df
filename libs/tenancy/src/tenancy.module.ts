import { Global, Module } from '@nestjs/common';
import { ContactKeyCacheConsumer } from '@missive/tenant-keys';
import { ApiKeyGuard } from './api-key.guard';
import { AuditLog } from './audit-log';
import { TenantCacheConsumer } from './tenant-cache.consumer';
import { TenantDirectory } from './tenant-directory';
import { TenantStates } from './tenant-states';
import { TenantRateLimitGuard } from './tenant-rate-limit.guard';

/**
 * Import once in a service's public-listener module: provides what `@TenantApi()` needs (key resolution with its
 * cache, rate limit), the cached tenant states, and the cache-eviction consumer. Global, so every controller and
 * provider of the listener can use them.
 */
@Global()
@Module({
  controllers: [TenantCacheConsumer, ContactKeyCacheConsumer],
  providers: [TenantDirectory, TenantStates, ApiKeyGuard, TenantRateLimitGuard, AuditLog],
  exports: [TenantDirectory, TenantStates, ApiKeyGuard, TenantRateLimitGuard, AuditLog],
})
export class TenancyModule {}

/** The audit log alone (R-A3), for support-listener modules and workers that record security-relevant actions. */
@Module({ providers: [AuditLog], exports: [AuditLog] })
export class AuditLogModule {}
