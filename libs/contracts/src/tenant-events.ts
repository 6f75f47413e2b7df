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
 * `tenant.notice-issued` (v1): support recorded a security incident naming the tenant (R-A2). Published from the
 * global outbox on the tenant's region topic, so the tenant's own region writes the notice into its database,
 * whatever region support runs in (R-T2). Idempotent by notice id.
 */
export interface TenantNoticeIssuedV1 {
  noticeId: string;
  incidentId: string;
  kind: 'incident';
  /** Written by staff about the incident; never contact personal data. */
  summary: string;
}

export const TENANT_CHANGED = 'tenant.changed';
export const TENANT_NOTICE_ISSUED = 'tenant.notice-issued';
export const TENANT_API_KEY_REVOKED = 'tenant.api-key-revoked';
