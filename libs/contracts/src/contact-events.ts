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
