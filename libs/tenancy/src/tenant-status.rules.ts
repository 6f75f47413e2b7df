import type { TenantStatus } from './tenant-context';

export interface TenantLifecycle {
  status: TenantStatus;
  terminatedAt: Date | null;
  purgedAt?: Date | null;
}

/**
 * The status a tenant has now (R-P1): a termination takes effect at `terminatedAt`, which may be recorded ahead
 * of time, so a stored `active` with a past `terminatedAt` is terminated.
 */
export function effectiveStatus(tenant: TenantLifecycle, now: Date): TenantStatus {
  if (tenant.status === 'purged' || tenant.purgedAt) return 'purged';
  if (tenant.terminatedAt && tenant.terminatedAt.getTime() <= now.getTime()) return 'terminated';
  return tenant.status === 'terminated' && !tenant.terminatedAt ? 'terminated' : 'active';
}
