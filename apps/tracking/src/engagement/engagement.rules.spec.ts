import { randomUUID } from 'node:crypto';
import type { EventEnvelope, TrackingHitV1 } from '@missive/contracts';
import { anonymised, firstOfEachHit, hitOf, openedHitOf, sealedPersonalOf } from './engagement.rules';

const envelope = (data: Partial<TrackingHitV1> = {}): EventEnvelope<TrackingHitV1> => ({
  id: randomUUID(),
  type: 'tracking.hit',
  version: 1,
  tenantId: randomUUID(),
  region: 'NA',
  occurredAt: new Date().toISOString(),
  data: {
    campaignId: randomUUID(),
    contactId: randomUUID(),
    kind: 'open',
    at: new Date().toISOString(),
    ipTruncated: '192.0.2.0',
    userAgent: 'Mozilla/5.0 (X11)',
    machine: false,
    ...data,
  },
});

describe('engagement rules', () => {
  it('reads a well-formed hit; the hit id is the event id', () => {
    const e = envelope({ kind: 'click', linkIndex: 3 });
    expect(hitOf(e)).toMatchObject({ hitId: e.id, tenantId: e.tenantId, kind: 'click', linkIndex: 3 });
  });

  it.each([{ kind: 'unsubscribe' as never }, { campaignId: 'x' }, { contactId: 'not-a-uuid' }, { at: 'yesterday' }])(
    'skips a malformed hit %p',
    (data) => {
      expect(hitOf(envelope(data))).toBeNull();
    },
  );

  it('R-D1: a v2 hit takes IP and user agent only from what was opened of its sealed part', () => {
    const v1 = envelope();
    const { ipTruncated: _ip, userAgent: _ua, ...rest } = v1.data;
    const v2 = { ...v1, version: 2, data: { ...rest, personal: 'sealed' } } as unknown as EventEnvelope<TrackingHitV1>;
    expect(sealedPersonalOf(v2)).toBe('sealed');
    expect(sealedPersonalOf(v1)).toBeNull();
    const opened = { ipTruncated: '198.51.100.0', userAgent: 'Mail/1.0' };
    expect(openedHitOf(v2, opened)).toMatchObject({ contactId: v1.data.contactId, ...opened });
    // Erased (the key is gone) or sealed without a key: the hit counts, with nothing personal.
    expect(hitOf(v2)).toMatchObject({ contactId: v1.data.contactId, ipTruncated: null, userAgent: null });
    // A v1 hit's clear fields stay readable during the transition; an opened value never overrides them.
    expect(openedHitOf(v1, opened)).toMatchObject({ ipTruncated: '192.0.2.0', userAgent: 'Mozilla/5.0 (X11)' });
  });

  it('R-K4: a blocked contact’s hit keeps nothing linked to the person', () => {
    const hit = hitOf(envelope({ machine: true }))!;
    expect(anonymised(hit)).toEqual({ ...hit, contactId: null, ipTruncated: null, userAgent: null });
  });

  it('R-X5: a hit delivered twice in one batch is kept once, the first occurrence', () => {
    const a = { hitId: 'a', n: 1 };
    expect(firstOfEachHit([a, { hitId: 'b', n: 2 }, { hitId: 'a', n: 3 }])).toEqual([a, { hitId: 'b', n: 2 }]);
  });
});
