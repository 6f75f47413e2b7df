import {
  contactStatesOf,
  type ContactChangedStateEvent,
  type ContactChangedV2,
  type ContactErasedV1,
  type EventEnvelope,
  type UnsubscribeRecordedV1,
} from '@missive/contracts';
import { isUuid } from '@missive/tokens';

export type BlockReason = 'erased' | 'unsubscribed' | 'restricted';
/** The reasons a contact's status (rather than an erasure) gives. */
export type StatusBlock = Exclude<BlockReason, 'erased'>;

/** What one event tells tracking about one contact's hits (R-K4). */
export interface BlockChange {
  tenantId: string;
  contactId: string;
  /** When the contacts or unsubscribe service decided it (the event's `occurredAt`): older news never wins. */
  at: Date;
  effect: BlockReason | 'unblock';
}

/**
 * R-K4: what a contact's status (`contact.changed` v2) means for its hits. Restricted: kept, never processed.
 * Unsubscribed or suppressed: opted out (the tenant's suppression list is its opt-out record, R-U5). Active: none
 * of these any more, so the person's hits are theirs again. Bounced says nothing either way (an opt-out of a
 * bounced contact does not change its status), so it changes nothing.
 */
export function statusEffect(status: ContactChangedV2['status']): StatusBlock | 'unblock' | null {
  switch (status) {
    case 'restricted':
      return 'restricted';
    case 'unsubscribed':
    case 'suppressed':
      return 'unsubscribed';
    case 'active':
      return 'unblock';
    default:
      return null;
  }
}

function at(event: EventEnvelope<unknown>): Date {
  const time = Date.parse(event.occurredAt);
  return Number.isNaN(time) ? new Date() : new Date(time);
}

function change(event: EventEnvelope<unknown>, contactId: unknown, effect: BlockChange['effect'] | null) {
  if (!effect || !isUuid(event.tenantId) || !isUuid(contactId)) return [];
  return [{ tenantId: event.tenantId, contactId, at: at(event), effect }];
}

/**
 * The changes `contact.changed` events make (v2 and an import's v3 alike), the newest per contact. v1 events (ids
 * only) and malformed ones are skipped.
 */
export function statusChanges(events: EventEnvelope<ContactChangedStateEvent>[]): BlockChange[] {
  const latest = new Map<string, BlockChange>();
  for (const event of events) {
    // v2 names one contact, v3 an import's batch of them (on the import's partition: newest by time, not place).
    for (const { state } of contactStatesOf(event)) {
      for (const c of change(event, state?.contactId, statusEffect(state?.status))) {
        const key = `${c.tenantId}:${c.contactId}`;
        const seen = latest.get(key);
        if (!seen || seen.at <= c.at) latest.set(key, c);
      }
    }
  }
  return [...latest.values()];
}

/**
 * The change that holds per contact, so one statement touches each row once: an erasure is final, otherwise the
 * newest wins.
 */
export function newestPerContact(changes: BlockChange[]): BlockChange[] {
  const newest = new Map<string, BlockChange>();
  for (const c of changes) {
    const seen = newest.get(c.contactId);
    const wins = !seen || c.effect === 'erased' || (seen.effect !== 'erased' && seen.at <= c.at);
    if (wins) newest.set(c.contactId, c);
  }
  return [...newest.values()];
}

/** `contact.erased`: the person is gone; final. */
export function erasures(events: EventEnvelope<ContactErasedV1>[]): BlockChange[] {
  return events.flatMap((e) => change(e, e.data?.contactId, 'erased'));
}

/**
 * `unsubscribe.recorded`: an opt-out of everything blocks at once, before the contact's status says so. Leaving
 * single lists (R-U4) is not an opt-out of the tenant's marketing.
 */
export function optOuts(events: EventEnvelope<UnsubscribeRecordedV1>[]): BlockChange[] {
  return events.flatMap((e) => (e.data?.lists == null ? change(e, e.data?.contactId, 'unsubscribed') : []));
}
