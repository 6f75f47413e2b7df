import type { Region } from '@missive/contracts';

/**
 * Every Redis key that concerns a tenant starts `<region>:t:<tenantId>:` so the purge can delete them all with one
 * SCAN pattern in the right region's Redis (R-P2, R-T2).
 */
export function tenantRedisKey(region: Region, tenantId: string, suffix: string): string {
  return `${region.toLowerCase()}:t:${tenantId}:${suffix}`;
}

/** The set of contact ids that opted out of everything: written before the unsubscribe's 200, read by every send gate (R-U2). */
export function optOutSetKey(region: Region, tenantId: string): string {
  return tenantRedisKey(region, tenantId, 'optouts');
}
