/**
 * Events of the contacts service (R-X5). Ids only, never an email address or any other personal field (R-T2,
 * R-P2): a consumer that needs the contact reads it in the region's database.
 */

/** `contact.changed` (v1): contacts were created or changed, one by the API or a batch of an import. */
export interface ContactChangedV1 {
  contactIds: string[];
  change: 'created' | 'updated';
  source: 'api' | 'import';
  importId?: string;
}

/** `contact.erased` (v1): the contact row is gone (erasure, R-D1); downstream stores drop what they hold on it. */
export interface ContactErasedV1 {
  contactId: string;
}

/**
 * `suppression.changed` (v1): an address was added to or removed from a tenant's suppression list (R-U5). The
 * address itself does not travel; `contactId` names the contact with that address, if there is one.
 */
export interface SuppressionChangedV1 {
  action: 'added' | 'removed';
  contactId: string | null;
}

export const CONTACT_CHANGED = 'contact.changed';
export const CONTACT_ERASED = 'contact.erased';
export const SUPPRESSION_CHANGED = 'suppression.changed';

/**
 * `contact.opt-in-confirmed` (v1): the person confirmed a double opt-in on the recipient page (R-C8), published by
 * the unsubscribe service once per contact; the contacts service makes the contact active and records the
 * confirmation in its consent history. `personal` is the truncated IP and the user agent (`OptInConfirmationPersonalV1`)
 * sealed with the contact's own key (R-D1), or null when the contact has no key (erased).
 */
export interface OptInConfirmedV1 {
  contactId: string;
  confirmedAt: string;
  personal: string | null;
}

/** What `OptInConfirmedV1.personal` opens to: the IP already truncated (/24, /48), the user agent cut to 256. */
export interface OptInConfirmationPersonalV1 {
  ipTruncated: string | null;
  userAgent: string | null;
}

export const OPT_IN_CONFIRMED = 'contact.opt-in-confirmed';
