import type { Region } from './region';

export type ContactStatusV1 = 'active' | 'unsubscribed' | 'suppressed' | 'bounced' | 'restricted';
export type LawfulBasisV1 =
  | 'consent'
  | 'contract'
  | 'legal_obligation'
  | 'vital_interests'
  | 'public_task'
  | 'legitimate_interests';

/** The personal fields of a contact, travelling only sealed with the tenant's key (R-P2). */
export interface ContactPersonalFieldsV1 {
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  locale: string | null;
  birthDate: string | null;
  attributes: Record<string, unknown>;
}

/**
 * `contact.changed` v2 (one event per contact; v1 carried ids only): the state other services need (the send gate's inputs in clear: ids, status, regime,
 * basis, lists and tags) and the personal fields sealed (`personal`, opened with TenantKeys.open).
 */
export interface ContactChangedV2 {
  contactId: string;
  status: ContactStatusV1;
  region: Region;
  lawfulBasis: LawfulBasisV1;
  consentWithdrawn: boolean;
  objected: boolean;
  trackingConsent: boolean;
  lists: string[];
  tags: string[];
  personal: string;
}

/** `unsubscribe.recorded` v1: the person opted out of the tenant's marketing (R-U2, R-U3), or of some lists (R-U4). */
export interface UnsubscribeRecordedV1 {
  contactId: string;
  campaignId: string | null;
  /** null: everything; otherwise the lists left. */
  lists: string[] | null;
  source: 'one-click' | 'page' | 'mailto' | 'preferences' | 'objection';
}

export const UNSUBSCRIBE_RECORDED = 'unsubscribe.recorded';
