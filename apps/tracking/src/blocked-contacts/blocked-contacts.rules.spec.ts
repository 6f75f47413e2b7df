import { randomUUID } from 'node:crypto';
import type { ContactChangedV2, EventEnvelope } from '@missive/contracts';
import {
  erasures,
  newestPerContact,
  optOuts,
  statusChanges,
  statusEffect,
  type BlockChange,
} from './blocked-contacts.rules';

const TENANT = randomUUID();

function event<T>(type: string, data: T, occurredAt: string, version = 1): EventEnvelope<T> {
  return { id: randomUUID(), type, version, tenantId: TENANT, region: 'NA', occurredAt, data };
}

const changed = (contactId: string, status: ContactChangedV2['status'], occurredAt: string) =>
  event('contact.changed', { contactId, status } as ContactChangedV2, occurredAt, 2);

describe('blocked-contacts rules (R-K4)', () => {
  it('R-K4: restricted blocks as restricted; unsubscribed and suppressed as opted out; active unblocks; bounced changes nothing', () => {
    expect(statusEffect('restricted')).toBe('restricted');
    expect(statusEffect('unsubscribed')).toBe('unsubscribed');
    expect(statusEffect('suppressed')).toBe('unsubscribed');
    expect(statusEffect('active')).toBe('unblock');
    expect(statusEffect('bounced')).toBeNull();
  });

  it('R-K4: contact.changed v2 gives the newest state per contact; v1 and malformed events are skipped', () => {
    const a = randomUUID();
    const b = randomUUID();
    const changes = statusChanges([
      changed(a, 'restricted', '2026-01-01T10:00:00Z'),
      changed(a, 'active', '2026-01-01T10:00:05Z'),
      changed(b, 'suppressed', '2026-01-01T10:00:01Z'),
      changed(b, 'bounced', '2026-01-01T10:00:02Z'), // says nothing: b stays as the suppression left it
      event('contact.changed', { contactIds: [randomUUID()], change: 'updated' } as never, '2026-01-01T10:00:00Z'),
      changed('not-a-uuid', 'restricted', '2026-01-01T10:00:00Z'),
      { ...changed(randomUUID(), 'restricted', '2026-01-01T10:00:00Z'), tenantId: null },
    ]);
    expect(changes).toEqual([
      { tenantId: TENANT, contactId: a, at: new Date('2026-01-01T10:00:05Z'), effect: 'unblock' },
      { tenantId: TENANT, contactId: b, at: new Date('2026-01-01T10:00:01Z'), effect: 'unsubscribed' },
    ]);
  });

  it('R-K4: an import’s contact.changed v3 batch is read as the v2 events it stands for', () => {
    const [imported, suppressed] = [randomUUID(), randomUUID()];
    const batch = event(
      'contact.changed',
      {
        importId: randomUUID(),
        contacts: [
          { contactId: imported, status: 'active' },
          { contactId: suppressed, status: 'suppressed' },
        ],
        personal: 'sealed',
      } as never,
      '2026-01-01T10:00:00Z',
      3,
    );
    expect(statusChanges([batch]).map((c) => [c.contactId, c.effect])).toEqual([
      [imported, 'unblock'],
      [suppressed, 'unsubscribed'],
    ]);
  });

  it('R-K4: only an opt-out of everything blocks; leaving single lists does not', () => {
    const all = randomUUID();
    const legacy = randomUUID();
    const someLists = randomUUID();
    const at = '2026-01-01T10:00:00Z';
    expect(
      optOuts([
        event('unsubscribe.recorded', { contactId: all, campaignId: null, lists: null, source: 'page' as const }, at),
        event('unsubscribe.recorded', { contactId: legacy } as never, at),
        event(
          'unsubscribe.recorded',
          { contactId: someLists, campaignId: null, lists: ['news'], source: 'page' as const },
          at,
        ),
      ]).map((c) => [c.contactId, c.effect]),
    ).toEqual([
      [all, 'unsubscribed'],
      [legacy, 'unsubscribed'],
    ]);
  });

  it('R-K4, R-D1: an erasure is final: it wins over any other change of the contact in the same batch', () => {
    const id = randomUUID();
    const [erased] = erasures([event('contact.erased', { contactId: id }, '2026-01-01T10:00:00Z')]);
    expect(erased).toMatchObject({ contactId: id, effect: 'erased' });
    const later: BlockChange = { ...erased, at: new Date('2026-01-01T11:00:00Z'), effect: 'unsubscribed' };
    expect(newestPerContact([erased, later])).toEqual([erased]);
    expect(newestPerContact([later, erased])).toEqual([erased]);
    const older: BlockChange = { ...later, at: new Date('2026-01-01T09:00:00Z'), effect: 'restricted' };
    expect(newestPerContact([later, older])).toEqual([later]);
  });
});
