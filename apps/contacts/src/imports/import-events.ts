import {
  CONTACT_CHANGED,
  type ContactChangedColumnsV4,
  type ContactPersonalFieldsV1,
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
 * Bytes of one `contact.changed` v4 (about): well under Kafka's 1 MB record-batch limit, so the relay can send
 * a few together. Contacts per event are bounded too, so a consumer's statement stays small.
 */
export const IMPORT_EVENT_MAX_BYTES = 192 * 1024;
export const IMPORT_EVENT_MAX_CONTACTS = 1000;

/** Bytes a contact adds to an event, a little over: its clear state, and its personal fields once sealed. */
function roughSize(c: ContactData): number {
  let n = 300 + Buffer.byteLength(c.email) * 1.4;
  for (const v of [c.firstName, c.lastName, c.phone, c.locale]) if (v) n += Buffer.byteLength(v) * 1.4;
  for (const v of c.lists) n += Buffer.byteLength(v) + 3;
  for (const v of c.tags) n += Buffer.byteLength(v) + 3;
  for (const [k, v] of Object.entries(c.attributes))
    n += (Buffer.byteLength(k) + Buffer.byteLength(String(v)) + 6) * 1.4;
  return n;
}

/** One event's contacts as they are gathered: the columns of v4 and the personal fields to seal. */
class EventColumns {
  readonly contactIds: string[] = [];
  readonly statuses: ContactChangedColumnsV4['statuses'] = [];
  readonly regions: ContactChangedColumnsV4['regions'] = [];
  readonly lawfulBases: ContactChangedColumnsV4['lawfulBases'] = [];
  readonly consentWithdrawn: boolean[] = [];
  readonly trackingConsent: boolean[] = [];
  readonly lists: string[][] = [];
  readonly tags: string[][] = [];
  readonly personal: ContactPersonalFieldsV1[] = [];
  bytes = 0;

  add(change: ImportedChange, size: number): void {
    const c = change.contact;
    this.contactIds.push(change.id);
    this.statuses.push(change.status);
    this.regions.push(c.region);
    this.lawfulBases.push(c.lawfulBasis);
    this.consentWithdrawn.push(change.consentWithdrawn);
    this.trackingConsent.push(c.trackingConsent);
    this.lists.push(c.lists);
    this.tags.push(c.tags);
    this.personal.push({
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      phone: c.phone,
      locale: c.locale,
      birthDate: c.birthDate,
      attributes: c.attributes,
    });
    this.bytes += size;
  }

  toData(dataKey: Buffer, tenantId: string, importId: string): ContactChangedColumnsV4 {
    const { contactIds, statuses, regions, lawfulBases, consentWithdrawn, trackingConsent, lists, tags } = this;
    return {
      importId,
      contactIds,
      statuses,
      regions,
      lawfulBases,
      consentWithdrawn,
      trackingConsent,
      lists,
      tags,
      personal: seal(dataKey, tenantId, this.personal),
    };
  }
}

/**
 * The `contact.changed` v4 events of one import batch (R-X5): every created or changed contact in exactly one of
 * them, with the state v2 would carry (the import wrote the batch's data, so its rows hold exactly that) in columns,
 * the personal fields sealed once per event with the tenant's data key (R-T2, R-P2). Keyed by the import, so an
 * import's events stay in order.
 */
export function importChangedEvents(
  dataKey: Buffer,
  tenant: { id: string; region: Region },
  importId: string,
  changes: readonly ImportedChange[],
): OutgoingEvent<ContactChangedColumnsV4>[] {
  const events: OutgoingEvent<ContactChangedColumnsV4>[] = [];
  let current = new EventColumns();
  const flush = () => {
    if (current.contactIds.length === 0) return;
    events.push({
      type: CONTACT_CHANGED,
      version: 4,
      region: tenant.region,
      tenantId: tenant.id,
      key: importId,
      data: current.toData(dataKey, tenant.id, importId),
    });
    current = new EventColumns();
  };
  for (const change of changes) {
    const size = roughSize(change.contact);
    const count = current.contactIds.length;
    if (count >= IMPORT_EVENT_MAX_CONTACTS || (count > 0 && current.bytes + size > IMPORT_EVENT_MAX_BYTES)) flush();
    current.add(change, size);
  }
  flush();
  return events;
}
