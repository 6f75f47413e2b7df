import { randomUUID } from 'node:crypto';
import type { StoredHit } from './engagement.rules';
import { engagedKey, engagementOf, noEngagement } from './engagement-counts.rules';

const campaign = randomUUID();
const ann = randomUUID();
const bob = randomUUID();
let n = 0;
const hit = (over: Partial<StoredHit>): StoredHit => ({
  hitId: randomUUID(),
  campaignId: campaign,
  contactId: ann,
  kind: 'open',
  linkIndex: null,
  at: new Date(Date.UTC(2026, 11, 7, 16, 0, n++)).toISOString(),
  ipTruncated: '192.0.2.0',
  userAgent: 'Mozilla/5.0 (X11)',
  machine: false,
  ...over,
});
const human = (over: Partial<StoredHit> = {}) => hit(over);
const machine = (over: Partial<StoredHit> = {}) => hit({ machine: true, ipTruncated: null, userAgent: null, ...over });

describe('engagement counts (R-K4, R-S7)', () => {
  it('R-K4: human and machine opens and clicks count side by side, never one inside the other', () => {
    const { campaigns } = engagementOf(
      [human(), machine(), machine(), human({ kind: 'click', linkIndex: 0 }), machine({ kind: 'click', linkIndex: 0 })],
      new Set(),
    );
    expect(campaigns.get(campaign)).toEqual({
      opens: 1,
      uniqueOpens: 1,
      machineOpens: 2,
      clicks: 1,
      uniqueClicks: 1,
      machineClicks: 1,
    });
  });

  it('R-S7: unique opens and clicks count each contact’s first human hit once, whatever came before it', () => {
    const { campaigns } = engagementOf(
      [
        machine(), // Apple MPP fetched Ann's pixel first: not Ann's open
        human(),
        human(),
        human({ contactId: bob }),
        human({ kind: 'click', linkIndex: 1 }),
        human({ kind: 'click', linkIndex: 2 }),
      ],
      new Set(),
    );
    expect(campaigns.get(campaign)).toMatchObject({ opens: 3, uniqueOpens: 2, clicks: 2, uniqueClicks: 1 });
  });

  it('R-S7: a contact counted unique by an earlier batch (or before a restart) is not counted again', () => {
    const before = new Set([engagedKey(campaign, ann, 'open')]);
    const { campaigns } = engagementOf([human(), human({ kind: 'click' }), human({ contactId: bob })], before);
    expect(campaigns.get(campaign)).toMatchObject({ opens: 2, uniqueOpens: 1, clicks: 1, uniqueClicks: 1 });
  });

  it('R-S7: a machine-only contact is in no unique count', () => {
    const { campaigns } = engagementOf([machine(), machine({ kind: 'click' })], new Set());
    expect(campaigns.get(campaign)).toEqual({ ...noEngagement(), machineOpens: 1, machineClicks: 1 });
  });

  it('R-K4: an anonymised hit counts in the totals only and gives no contact row', () => {
    const { campaigns, contacts } = engagementOf(
      [human({ contactId: null }), human({ contactId: null }), machine({ contactId: null, kind: 'click' })],
      new Set(),
    );
    expect(campaigns.get(campaign)).toEqual({ ...noEngagement(), opens: 2, machineClicks: 1 });
    expect(contacts).toEqual([]);
  });

  it('R-K4: a contact’s row gets the same counts per kind, its first human hits and its last hit', () => {
    const first = human();
    const scan = machine({ kind: 'click', linkIndex: 0 });
    const click = human({ kind: 'click', linkIndex: 0 });
    const late = machine();
    // Out of order in the batch: the first human open is still the earliest one.
    const { contacts } = engagementOf([late, click, human({ at: '2026-12-07T17:00:00.000Z' }), first, scan], new Set());
    expect(contacts).toEqual([
      {
        campaignId: campaign,
        contactId: ann,
        opens: 2,
        machineOpens: 1,
        clicks: 1,
        machineClicks: 1,
        firstOpenAt: first.at,
        firstClickAt: click.at,
        lastHitAt: '2026-12-07T17:00:00.000Z',
      },
    ]);
  });

  it('R-S7: counts each campaign of a batch apart', () => {
    const other = randomUUID();
    const { campaigns } = engagementOf(
      [human(), human({ campaignId: other }), human({ campaignId: other })],
      new Set(),
    );
    expect(campaigns.get(campaign)).toMatchObject({ opens: 1, uniqueOpens: 1 });
    expect(campaigns.get(other)).toMatchObject({ opens: 2, uniqueOpens: 1 });
  });
});
