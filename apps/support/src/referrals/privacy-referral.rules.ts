/**
 * R-D3: a data-subject request that reaches support directly is recorded and referred to the tenant, the
 * controller, who answers it; support never does. Plain rules, no I/O.
 */
import { PRIVACY_REQUEST_TYPES, type PrivacyRequestType } from '@missive/contracts';

/** What support may refer: every data-subject request type (libs/contracts). */
export const PRIVACY_REFERRAL_TYPES = PRIVACY_REQUEST_TYPES;
export type PrivacyReferralType = PrivacyRequestType;

/** Clock skew tolerated on a `receivedAt` typed by a person. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** Why a `receivedAt` is refused, or null: support cannot have received a request in the future. */
export function receivedAtProblem(receivedAt: Date, now: Date): string | null {
  if (Number.isNaN(receivedAt.getTime())) return 'must be an ISO-8601 date-time';
  if (receivedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return 'must not be in the future';
  return null;
}

/** The notice the tenant reads (GET /v1/notices): what was asked, when, where to follow it up, and who answers. */
export function referralNoticeSummary(referral: {
  requestId: string;
  type: PrivacyReferralType;
  receivedAt: Date;
  summary: string;
}): string {
  return (
    `A data-subject request (${referral.type}) reached Missive support on ${referral.receivedAt.toISOString()} ` +
    `and is referred to you as the controller; Missive does not answer it. Privacy request ${referral.requestId} ` +
    `(GET /v1/privacy-requests/${referral.requestId}) shows its due dates. What support received: ${referral.summary}`
  );
}
