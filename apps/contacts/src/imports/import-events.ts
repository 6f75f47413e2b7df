import { CONTACT_CHANGED, type ContactChangedColumnsV4, type Region } from '@missive/contracts';
import type { ContactStatus } from '@missive/contact-domain';
import type { OutgoingEvent } from '@missive/kafka';
import { sealJson } from '@missive/tenant-keys';
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
 * Bytes of one `contact.changed` v4 (about): well under Kafka's 1 MB record-batch limit, so the relay can send
 * a few together. Contacts per event are bounded too, so a consumer's statement stays small.
 */
export const IMPORT_EVENT_MAX_BYTES = 192 * 1024;
export const IMPORT_EVENT_MAX_CONTACTS = 1000;

const LEFT_BRACKET = 0x5b;
const COMMA = 0x2c;
const RIGHT_BRACKET = 0x5d;

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
  readonly personal: Buffer[] = [];
  private personalBytes = 0;
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
    const json = personalJsonOf(contacts, i);
    this.personal.push(json);
    this.personalBytes += json.length;
    this.bytes += size;
  }

  /** `[json0,json1,…]` of the contacts' personal fields, as UTF-8. */
  private personalArray(): Buffer {
    const out = Buffer.allocUnsafe(this.personalBytes + this.personal.length + 2);
    let at = 0;
    out[at++] = LEFT_BRACKET;
    this.personal.forEach((json, k) => {
      if (k > 0) out[at++] = COMMA;
      at += json.copy(out, at);
    });
    out[at++] = RIGHT_BRACKET;
    return out.subarray(0, at);
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
      // The contacts' ContactPersonalFieldsV1, serialised by the parser: sealed as one JSON array.
      personal: sealJson(dataKey, tenantId, this.personalArray()),
    };
  }
}

/**
 * The `contact.changed` v4 events of one import batch (R-X5): every created or changed contact in exactly one of
 * them, with the state v2 would carry (the import wrote the batch's data, so its rows hold exactly that, but for the
 * lists a person left: `ImportedChange.lists`) in columns,
 * the personal fields sealed once per event with the tenant's data key (R-T2, R-P2). Keyed by the import, so an
 * import's events stay in order.
 */
export function importChangedEvents(
  dataKey: Buffer,
  tenant: { id: string; region: Region },
  importId: string,
  contacts: BatchContacts,
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
    const size = contacts.eventBytes[change.index];
    const count = current.contactIds.length;
    if (count >= IMPORT_EVENT_MAX_CONTACTS || (count > 0 && current.bytes + size > IMPORT_EVENT_MAX_BYTES)) flush();
    current.add(change, contacts, size);
  }
  flush();
  return events;
}
