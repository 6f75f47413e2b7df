import { CONTACT_CHANGED, type ContactChangedColumnsV5, type Region } from '@missive/contracts';
import type { ContactStatus } from '@missive/contact-domain';
import type { OutgoingEvent } from '@missive/kafka';
import { sealForContact } from '@missive/tenant-keys';
import { personalJsonOf, type BatchContacts } from './import-parser';

/** A contact an import batch created or changed: its row's id and new status, and its place in the batch. */
export interface ImportedChange {
  id: string;
  status: ContactStatus;
  consentWithdrawn: boolean;
  /** Index of the contact in the batch's `BatchContacts`. */
  index: number;
  /** The stored lists when they may differ from the batch's (lists the person left stay off, R-U4). */
  lists?: string[];
}

/**
 * Bytes of one `contact.changed` v5 (about): well under Kafka's 1 MB record-batch limit, so the relay can send
 * a few together. Contacts per event are bounded too, so a consumer's statement stays small.
 */
export const IMPORT_EVENT_MAX_BYTES = 192 * 1024;
export const IMPORT_EVENT_MAX_CONTACTS = 1000;

/** What a contact's own sealed personal fields add to an event: the box header, IV and tag, base64url, quoted. */
const SEALED_OVERHEAD_BYTES = 64;

/** One event's contacts as they are gathered: the columns of v5 and the personal fields to seal. */
class EventColumns {
  readonly contactIds: string[] = [];
  readonly statuses: ContactChangedColumnsV5['statuses'] = [];
  readonly regions: ContactChangedColumnsV5['regions'] = [];
  readonly lawfulBases: ContactChangedColumnsV5['lawfulBases'] = [];
  readonly consentWithdrawn: boolean[] = [];
  readonly trackingConsent: boolean[] = [];
  readonly lists: string[][] = [];
  readonly tags: string[][] = [];
  readonly personal: Buffer[] = [];
  bytes = 0;

  add(change: ImportedChange, contacts: BatchContacts, size: number): void {
    const i = change.index;
    this.contactIds.push(change.id);
    this.statuses.push(change.status);
    this.regions.push(contacts.regions[i]);
    this.lawfulBases.push(contacts.lawfulBases[i]);
    this.consentWithdrawn.push(change.consentWithdrawn);
    this.trackingConsent.push(contacts.trackingConsent[i]);
    this.lists.push(change.lists ?? contacts.lists[i]);
    this.tags.push(contacts.tags[i]);
    this.personal.push(personalJsonOf(contacts, i));
    this.bytes += size;
  }

  toData(contactKeys: ReadonlyMap<string, Buffer>, tenantId: string, importId: string): ContactChangedColumnsV5 {
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
      // Each contact's ContactPersonalFieldsV1, serialised by the parser, sealed with that contact's own key (R-D1).
      personal: contactIds.map((id, k) => {
        const key = contactKeys.get(id.toLowerCase());
        if (!key) throw new Error('an imported contact has no key');
        return sealForContact(key, tenantId, id, this.personal[k], true);
      }),
    };
  }
}

/**
 * The `contact.changed` v5 events of one import batch (R-X5): every created or changed contact in exactly one of
 * them, with the state v2 would carry (the import wrote the batch's data, so its rows hold exactly that, but for the
 * lists a person left: `ImportedChange.lists`) in columns,
 * each contact's personal fields sealed with its own key (R-T2, R-D1: an erasure makes them unreadable at once).
 * Keyed by the import, so an import's events stay in order.
 */
export function importChangedEvents(
  contactKeys: ReadonlyMap<string, Buffer>,
  tenant: { id: string; region: Region },
  importId: string,
  contacts: BatchContacts,
  changes: readonly ImportedChange[],
): OutgoingEvent<ContactChangedColumnsV5>[] {
  const events: OutgoingEvent<ContactChangedColumnsV5>[] = [];
  let current = new EventColumns();
  const flush = () => {
    if (current.contactIds.length === 0) return;
    events.push({
      type: CONTACT_CHANGED,
      version: 5,
      region: tenant.region,
      tenantId: tenant.id,
      key: importId,
      data: current.toData(contactKeys, tenant.id, importId),
    });
    current = new EventColumns();
  };
  for (const change of changes) {
    const size = contacts.eventBytes[change.index] + SEALED_OVERHEAD_BYTES;
    const count = current.contactIds.length;
    if (count >= IMPORT_EVENT_MAX_CONTACTS || (count > 0 && current.bytes + size > IMPORT_EVENT_MAX_BYTES)) flush();
    current.add(change, contacts, size);
  }
  flush();
  return events;
}
