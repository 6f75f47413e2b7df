import type { EntityManager } from 'typeorm';
import { enterTenant } from '@missive/database';

/**
 * Runs `work` once per tenant of a consumer batch, inside the batch's transaction, with `app.tenant_id` set
 * to that tenant first: the tracking tables are under FORCE row-level security (R-T1), so each statement sees and
 * writes that tenant's rows only. Tenants are taken in a stable order, so concurrent batches lock alike.
 */
export async function forEachTenant<T extends { tenantId: string }>(
  manager: EntityManager,
  items: T[],
  work: (tenantId: string, items: T[]) => Promise<void>,
): Promise<void> {
  const byTenant = new Map<string, T[]>();
  for (const item of items) {
    const list = byTenant.get(item.tenantId);
    if (list) list.push(item);
    else byTenant.set(item.tenantId, [item]);
  }
  for (const tenantId of [...byTenant.keys()].sort()) {
    await enterTenant(manager, tenantId);
    await work(tenantId, byTenant.get(tenantId)!);
  }
}
