import type { Region } from './region';

/** `pending`: created with double opt-in, not confirmed yet (R-C8); never mailed a campaign. */
export type ContactStatusV1 =
  | 'active'
  | 'pending'
  | 'unsubscribed'
  | 'suppressed'
  | 'bounced'
  | 'complained'
  | 'restricted';
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
 * basis, lists and tags) and the personal fields sealed (`personal`, opened with TenantKeys.open): with the contact's
 * own key (a contact box, R-D1: unreadable once the contact is erased), or, in events older than contact keys, with
 * the tenant's.
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

/** What `contact.changed` says of one contact in clear: v2 without its sealed personal fields. */
export type ContactStateV2 = Omit<ContactChangedV2, 'personal'>;

/**
 * `contact.changed` v3: the contacts one batch of an import created or changed, in one event (R-X5, batched for
 * imports; a 10,000-row batch makes a few dozen events, not 10,000). Per contact the same clear state as v2;
 * their personal fields sealed together (`personal`: a sealed `ContactPersonalFieldsV1[]` in the order of
 * `contacts`). A consumer applies it as the v2 events it stands for, all with the event's `occurredAt`.
 */
export interface ContactChangedBatchV3 {
  importId: string;
  contacts: ContactStateV2[];
  personal: string;
}

/**
 * `contact.changed` v4: v3's batch with its clear state in columns (index i of each array is the i-th contact, and of
 * the sealed `ContactPersonalFieldsV1[]` in `personal`): the same facts without each contact repeating nine field
 * names, which were about half of an import's event bytes — bytes the contacts service serialises, the outbox stores,
 * the relay sends and every consumer parses. `objected` is not carried (v2 and v3 always say false: no objection
 * flag is kept yet). Imports publish v4; consumers read v2, v3 and v4 through `contactStatesOf`.
 */
export interface ContactChangedColumnsV4 {
  importId: string;
  contactIds: string[];
  statuses: ContactStatusV1[];
  regions: Region[];
  lawfulBases: LawfulBasisV1[];
  consentWithdrawn: boolean[];
  trackingConsent: boolean[];
  lists: string[][];
  tags: string[][];
  personal: string;
}

/**
 * `contact.changed` v5: v4 with each contact's personal fields sealed with that contact's own key (R-D1), so an
 * erasure reaches this event at once: `personal[i]` is contact i's sealed `ContactPersonalFieldsV1` (a contact box,
 * opened with TenantKeys.open, which gives null for an erased contact). Imports publish v5; v3 and v4 (one box under
 * the tenant's key for the whole batch) stay readable until they age out of the topics.
 */
export interface ContactChangedColumnsV5 extends Omit<ContactChangedColumnsV4, 'personal'> {
  personal: string[];
}

/** Any `contact.changed` carrying contact state: one contact (v2), or an import's batch (v3, v4, v5). */
export type ContactChangedStateEvent =
  | ContactChangedV2
  | ContactChangedBatchV3
  | ContactChangedColumnsV4
  | ContactChangedColumnsV5;

/**
 * Whether a `contact.changed` event carries contact state and sealed personal fields (v2, v3, v4; v1 carried ids
 * only). Consumers ask this rather than listing versions, so a new version is added here once.
 */
export function carriesContactState(event: { version: number }): boolean {
  return event.version >= 2 && event.version <= 5;
}

/**
 * The contacts a `contact.changed` event names, in clear, with where their personal fields are: one for v2, each
 * of a v3, v4 or v5 batch (`personalIndex` into its opened array); none for v1 or a malformed event. Consumers that need
 * no personal fields (a send gate, tracking) read every version alike through this.
 */
export function contactStatesOf(event: {
  version: number;
  data: unknown;
}): { state: ContactStateV2; personalIndex: number | null }[] {
  const data = event.data as Partial<ContactChangedV2 & ContactChangedBatchV3 & ContactChangedColumnsV4> | null;
  if (!data || typeof data !== 'object') return [];
  if (event.version === 2) return [{ state: data as ContactStateV2, personalIndex: null }];
  if (event.version === 3 && Array.isArray(data.contacts)) {
    return data.contacts.map((state, i) => ({ state, personalIndex: i }));
  }
  if ((event.version === 4 || event.version === 5) && Array.isArray(data.contactIds)) {
    return columnStates(data as ContactChangedColumnsV4);
  }
  return [];
}

function columnStates(data: ContactChangedColumnsV4): { state: ContactStateV2; personalIndex: number }[] {
  const columns = [
    data.statuses,
    data.regions,
    data.lawfulBases,
    data.consentWithdrawn,
    data.trackingConsent,
    data.lists,
    data.tags,
  ];
  // A malformed event (columns of different lengths) names nobody rather than half-formed contacts.
  if (!columns.every((column) => Array.isArray(column) && column.length === data.contactIds.length)) return [];
  return data.contactIds.map((contactId, i) => ({
    state: {
      contactId,
      status: data.statuses[i],
      region: data.regions[i],
      lawfulBasis: data.lawfulBases[i],
      consentWithdrawn: data.consentWithdrawn[i],
      objected: false,
      trackingConsent: data.trackingConsent[i],
      lists: data.lists[i],
      tags: data.tags[i],
    },
    personalIndex: i,
  }));
}
