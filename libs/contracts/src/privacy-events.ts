/** The data-subject requests (R-D1–D3): one list for the API, support's referrals and the events. */
export const PRIVACY_REQUEST_TYPES = [
  'access',
  'portability',
  'rectification',
  'erasure',
  'restriction',
  'objection',
] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

/**
 * `privacy.request-referred` (v1): a data-subject request reached Missive support directly (R-D3). Support recorded
 * it and wrote the tenant a notice; the privacy service records the request (`source: 'support'`) with its due
 * dates. Ids, the type and the date only: what the person wrote stays in the notice, in the tenant's region.
 */
export interface PrivacyRequestReferredV1 {
  requestId: string;
  type: PrivacyRequestType;
  /** When support received it; the due dates run from here (R-D1). */
  receivedAt: string;
}

export const PRIVACY_REQUEST_REFERRED = 'privacy.request-referred';
