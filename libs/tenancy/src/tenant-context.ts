import type { Region } from '@missive/contracts';

export type TenantStatus = 'active' | 'terminated' | 'purged';

/** Who is calling the public API: the tenant behind the API key, as the guard resolved it (`@CurrentTenant()`). */
export interface TenantContext {
  id: string;
  /** Home region, fixed at creation: the database and topics its data lives in (R-T2). */
  region: Region;
  status: TenantStatus;
  /** R-T3: the recorded safeguard (e.g. `SCC`) that allows EEA contacts for an NA tenant. */
  transferSafeguard: string | null;
  terminatedAt: Date | null;
  purgeDueAt: Date | null;
  apiKeyId: string;
}

/** The audit log's actor for an action taken with a tenant's API key (R-A3): the key's id, never the key. */
export function apiKeyActor(tenant: Pick<TenantContext, 'apiKeyId'>): string {
  return `api-key:${tenant.apiKeyId}`;
}
