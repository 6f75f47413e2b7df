import type { Region } from './region';

/**
 * `tenant.changed` (v1): a tenant was created or its lifecycle changed (termination, reactivation, purge).
 * Published from the global outbox on the tenant's region topic; instances drop cached API-key resolutions.
 */
export interface TenantChangedV1 {
  tenantId: string;
  region: Region;
  status: 'active' | 'terminated' | 'purged';
  terminatedAt: string | null;
  purgeDueAt: string | null;
  /** A legal hold is set: the purge waits (R-P5). Absent in events written before it existed. */
  legalHold?: boolean;
}

/** `tenant.api-key-revoked` (v1): every instance evicts the key from its cache at once (R-X1, under 1 s). */
export interface ApiKeyRevokedV1 {
  tenantId: string;
  apiKeyId: string;
}

/**
 * `tenant.notice-issued` (v1): support recorded a security incident naming the tenant (R-A2), or a campaign paused
 * itself on its complaint rate (`complaint-rate`, R-S8, from the campaigns service's regional outbox). Published on
 * the tenant's region topic, so the tenant's own region writes the notice into its database, whatever region the
 * publisher runs in (R-T2). Idempotent by notice id.
 */
export interface TenantNoticeIssuedV1 {
  noticeId: string;
  /** Set for kind `incident`. */
  incidentId?: string;
  /** Set for kind `complaint-rate`: the campaign that paused itself. */
  campaignId?: string;
  kind: 'incident' | 'complaint-rate';
  /** Written by staff about the incident, or ids and figures; never contact personal data. */
  summary: string;
}

export const TENANT_CHANGED = 'tenant.changed';
export const TENANT_NOTICE_ISSUED = 'tenant.notice-issued';
export const TENANT_API_KEY_REVOKED = 'tenant.api-key-revoked';
