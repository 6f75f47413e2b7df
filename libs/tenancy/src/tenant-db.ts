import type { EntityManager } from 'typeorm';
import type { Databases } from '@missive/database';
import type { TenantContext } from './tenant-context';

/**
 * R-T1, R-T2: runs `work` in the tenant's home-region database, in one transaction confined to that tenant by
 * row-level security. The only way service code should reach tenant data.
 */
export function tenantDb<T>(
  databases: Databases,
  tenant: Pick<TenantContext, 'id' | 'region'>,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return databases.withTenant(tenant.region, tenant.id, work);
}
