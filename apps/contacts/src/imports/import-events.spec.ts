import { randomUUID } from 'node:crypto';
import { contactStatesOf, type ContactPersonalFieldsV1 } from '@missive/contracts';
import type { ContactData } from '@missive/contact-domain';
import { newDataKey, openContactBox } from '@missive/tenant-keys';
import {
  IMPORT_EVENT_MAX_BYTES,
  IMPORT_EVENT_MAX_CONTACTS,
  importChangedEvents,
  type ImportedChange,
} from './import-events';
import { BatchContactsBuilder } from './import-parser';

/** Each contact's own key, as TenantKeys.contactKeysForWrite hands them over (lower-case ids). */
const keys = new Map<string, Buffer>();
const tenant = { id: randomUUID(), region: 'NA' as const };

function contact(i: number, attributes: ContactData['attributes'] = { plan: 'pro' }): ContactData {
  return {
    email: `p${i}@example.com`,
    firstName: `First${i}`,
    lastName: null,
    phone: null,
    locale: 'en',
    region: 'NA',
    lawfulBasis: 'contract',
    consent: null,
    birthDate: '1980-01-02',
    trackingConsent: i % 2 === 0,
    lists: ['a', 'b'],
    tags: [],
    attributes,
  };
}

/** A batch of `n` contacts as the parser hands it over, each of them changed (with ids and statuses). */
function batchOf(n: number, attributes?: ContactData['attributes']) {
  const builder = new BatchContactsBuilder();
  const data = Array.from({ length: n }, (_, i) => contact(i, attributes));
  for (const c of data) builder.add(c);
  const changes: ImportedChange[] = data.map((_, i) => ({
    id: randomUUID(),
    status: i % 5 === 0 ? 'suppressed' : 'active',
    consentWithdrawn: i % 7 === 0,
    index: i,
  }));
  for (const c of changes) keys.set(c.id, newDataKey());
  return { contacts: builder.build(), data, changes };
}

describe('importChangedEvents (R-X5, R-D1: contact.changed v5, batched for imports, sealed per contact)', () => {
  it('R-D1: puts every changed contact in exactly one event, its state in clear, its fields sealed with its own key', () => {
    const { contacts, data, changes } = batchOf(2500);
    const byId = new Map(changes.map((c) => [c.id, { ...c, contact: data[c.index] }]));
    const events = importChangedEvents(keys, tenant, 'imp-1', contacts, changes);
    expect(events.length).toBeGreaterThanOrEqual(Math.ceil(2500 / IMPORT_EVENT_MAX_CONTACTS));
    expect(events.length).toBeLessThan(30);
    const seen: string[] = [];
    for (const e of events) {
      expect(e).toMatchObject({ type: 'contact.changed', version: 5, tenantId: tenant.id, key: 'imp-1' });
      expect(JSON.stringify(e)).not.toContain('@example.com');
      const states = contactStatesOf({ version: 5, data: e.data });
      expect(e.data.personal).toHaveLength(states.length);
      const personal = e.data.personal.map((box, k) =>
        openContactBox<ContactPersonalFieldsV1>(keys.get(states[k].state.contactId)!, tenant.id, box),
      );
      // Another contact's key opens nothing.
      expect(openContactBox(keys.get(states[0].state.contactId)!, tenant.id, e.data.personal[1])).toBeNull();
      states.forEach(({ state, personalIndex }) => {
        const c = byId.get(state.contactId)!;
        expect(state).toEqual({
          contactId: c.id,
          status: c.status,
          region: 'NA',
          lawfulBasis: 'contract',
          consentWithdrawn: c.consentWithdrawn,
          objected: false,
          trackingConsent: c.contact.trackingConsent,
          lists: ['a', 'b'],
          tags: [],
        });
        expect(personal[personalIndex!]).toEqual({
          email: c.contact.email,
          firstName: c.contact.firstName,
          lastName: null,
          phone: null,
          locale: 'en',
          birthDate: '1980-01-02',
          attributes: { plan: 'pro' },
        });
        seen.push(state.contactId);
      });
    }
    expect(seen.sort()).toEqual(changes.map((c) => c.id).sort());
  });

  it('keeps each event under its byte budget, however big the contacts', () => {
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`k${k}`, 'é'.repeat(900)]));
    const { contacts, changes } = batchOf(300, big);
    const events = importChangedEvents(keys, tenant, 'imp-2', contacts, changes);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(IMPORT_EVENT_MAX_BYTES);
  });

  it('R-U4: a contact kept off a list it left is published with its stored lists, not the row’s', () => {
    const { contacts, changes } = batchOf(3);
    changes[1] = { ...changes[1], lists: ['a'] };
    const [event] = importChangedEvents(keys, tenant, 'imp-4', contacts, changes);
    const lists = contactStatesOf({ version: 5, data: event.data }).map(({ state }) => state.lists);
    expect(lists).toEqual([['a', 'b'], ['a'], ['a', 'b']]);
  });

  it('makes no event for a batch that changed nothing', () => {
    expect(importChangedEvents(keys, tenant, 'imp-3', batchOf(0).contacts, [])).toEqual([]);
  });
});
