/**
 * `privacy.request-referred` (v1): a data-subject request reached Missive support directly (R-D3). Support recorded
 * it and wrote the tenant a notice; the privacy service records the request (`source: 'support'`) with its due
 * dates. Ids, the type and the date only: what the person wrote stays in the notice, in the tenant's region.
 */
export interface PrivacyRequestReferredV1 {
  requestId: string;
  type: 'access' | 'portability' | 'rectification' | 'erasure' | 'restriction' | 'objection';
  /** When support received it; the due dates run from here (R-D1). */
  receivedAt: string;
}

export const PRIVACY_REQUEST_REFERRED = 'privacy.request-referred';
