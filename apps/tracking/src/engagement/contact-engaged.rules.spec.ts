import { contactEngagementOf } from './contact-engaged.rules';
import type { StoredHit } from './engagement.rules';

const hit = (over: Partial<StoredHit>): StoredHit => ({
  hitId: 'h',
  campaignId: 'c1',
  contactId: 'b',
  kind: 'open',
  linkIndex: null,
  at: '2026-12-07T10:00:00.000Z',
  ipTruncated: null,
  userAgent: null,
  machine: false,
  ...over,
});

describe('tracking.contact-engaged facts (R-C9, R-K4)', () => {
  it('R-C9 the latest human open and click per contact, across campaigns', () => {
    expect(
      contactEngagementOf([
        hit({ contactId: 'b', at: '2026-12-07T10:00:00Z' }),
        hit({ contactId: 'b', campaignId: 'c2', at: '2026-12-07T12:00:00Z' }),
        hit({ contactId: 'b', at: '2026-12-07T11:00:00Z' }),
        hit({ contactId: 'a', kind: 'click', linkIndex: 0, at: '2026-12-06T09:00:00+01:00' }),
      ]),
    ).toEqual([
      { contactId: 'a', lastOpenedAt: null, lastClickedAt: '2026-12-06T08:00:00.000Z' },
      { contactId: 'b', lastOpenedAt: '2026-12-07T12:00:00.000Z', lastClickedAt: null },
    ]);
  });

  it('R-K4 anonymised (blocked) and machine hits name nobody', () => {
    expect(
      contactEngagementOf([hit({ contactId: null }), hit({ machine: true }), hit({ kind: 'click', machine: true })]),
    ).toEqual([]);
  });
});
