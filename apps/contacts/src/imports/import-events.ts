import {
  CONTACT_CHANGED,
  type ContactChangedBatchV3,
  type ContactPersonalFieldsV1,
  type ContactStateV2,
  type Region,
} from '@missive/contracts';
import type { ContactData, ContactStatus } from '@missive/contact-domain';
import type { OutgoingEvent } from '@missive/kafka';
import { seal } from '@missive/tenant-keys';

/** A contact an import batch created or changed: its row's id and status, and the data the batch wrote. */
export interface ImportedChange {
  id: string;
  status: ContactStatus;
  consentWithdrawn: boolean;
  contact: ContactData;
}

/**
 * Bytes of one `contact.changed` v3 (about): well under Kafka's 1 MB record-batch limit, so the relay can send
 * a few together. Contacts per event are bounded too, so a consumer's statement stays small.
 */
export const IMPORT_EVENT_MAX_BYTES = 192 * 1024;
export const IMPORT_EVENT_MAX_CONTACTS = 1000;

/** Bytes a contact adds to an event, a little over: its clear state, and its personal fields once sealed. */
function roughSize(c: ContactData): number {
  let n = 400 + Buffer.byteLength(c.email) * 1.4;
  for (const v of [c.firstName, c.lastName, c.phone, c.locale]) if (v) n += Buffer.byteLength(v) * 1.4;
  for (const v of c.lists) n += Buffer.byteLength(v) + 3;
  for (const v of c.tags) n += Buffer.byteLength(v) + 3;
  for (const [k, v] of Object.entries(c.attributes))
    n += (Buffer.byteLength(k) + Buffer.byteLength(String(v)) + 6) * 1.4;
  return n;
}

/**
 * The `contact.changed` v3 events of one import batch (R-X5): every created or changed contact in exactly one of
 * them, with the state v2 would carry (the import wrote the batch's data, so its rows hold exactly that), the
 * personal fields sealed once per event with the tenant's data key (R-T2, R-P2). Keyed by the import, so an
 * import's events stay in order.
 */
export function importChangedEvents(
  dataKey: Buffer,
  tenant: { id: string; region: Region },
  importId: string,
  changes: readonly ImportedChange[],
): OutgoingEvent<ContactChangedBatchV3>[] {
  const events: OutgoingEvent<ContactChangedBatchV3>[] = [];
  let states: ContactStateV2[] = [];
  let personal: ContactPersonalFieldsV1[] = [];
  let bytes = 0;
  const flush = () => {
    if (states.length === 0) return;
    events.push({
      type: CONTACT_CHANGED,
      version: 3,
      region: tenant.region,
      tenantId: tenant.id,
      key: importId,
      data: { importId, contacts: states, personal: seal(dataKey, tenant.id, personal) },
    });
    states = [];
    personal = [];
    bytes = 0;
  };
  for (const change of changes) {
    const c = change.contact;
    const size = roughSize(c);
    if (states.length >= IMPORT_EVENT_MAX_CONTACTS || (states.length > 0 && bytes + size > IMPORT_EVENT_MAX_BYTES)) {
      flush();
    }
    bytes += size;
    states.push({
      contactId: change.id,
      status: change.status,
      region: c.region,
      lawfulBasis: c.lawfulBasis,
      consentWithdrawn: change.consentWithdrawn,
      objected: false, // no objection flag is kept yet (as v2)
      trackingConsent: c.trackingConsent,
      lists: c.lists,
      tags: c.tags,
    });
    personal.push({
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      phone: c.phone,
      locale: c.locale,
      birthDate: c.birthDate,
      attributes: c.attributes,
    });
  }
  flush();
  return events;
}
