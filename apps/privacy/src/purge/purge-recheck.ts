import { Inject, Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Logger } from '@missive/observability';
import { Clock, LOGGER } from '@missive/platform';
import { AuditLog } from '@missive/tenancy';
import { LEFTOVER_RECHECK_DAYS, storeName } from './purge.rules';
import { RedisPurger } from './redis-purger';
import { TablePurger } from './table-purger';
import { TenantPurgesRepository } from './tenant-purges.repository';

const DAY_MS = 24 * 3600 * 1000;
/** Tenants re-checked per sweep, the longest unchecked first: a sweep stays short however many were purged. */
const TENANTS_PER_SWEEP = 20;

/**
 * R-P6: nothing may bring a purged tenant back. Consumers and the link host drop what arrives for one; this is the
 * net behind them: at every sweep, recently purged tenants of the regions served here (the longest unchecked first)
 * have their tables and Redis keys checked again, and anything found is deleted, counted on the certificate's
 * record and audited.
 */
@Injectable()
export class PurgeRecheck {
  constructor(
    private readonly config: MissiveConfig,
    private readonly purges: TenantPurgesRepository,
    private readonly tables: TablePurger,
    private readonly redis: RedisPurger,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Re-checks every recently purged tenant; returns how many had anything left. */
  async run(): Promise<number> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - LEFTOVER_RECHECK_DAYS * DAY_MS);
    let withLeftovers = 0;
    for (const tenant of await this.purges.recentlyPurged(this.config.regions, since, TENANTS_PER_SWEEP)) {
      const found = await this.tables.removeLeftovers(tenant.region, tenant.id);
      const keys = await this.redis.removeLeftovers(tenant.region, tenant.id);
      if (keys > 0) found[storeName('redis', tenant.region)] = keys;
      await this.purges.recordLeftovers(tenant.id, found, now);
      if (Object.keys(found).length === 0) continue;
      withLeftovers++;
      await this.audit.append({
        actor: 'system:privacy-purge',
        action: 'tenant.purge-leftovers-deleted',
        tenantId: tenant.id,
        details: { deleted: found },
      });
      this.logger.warn({ tenantId: tenant.id, deleted: found }, 'purge: data of a purged tenant came back; deleted');
    }
    return withLeftovers;
  }
}
