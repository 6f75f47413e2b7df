import type { EventEnvelope } from './event-envelope';
import { CAMPAIGN_ENGAGEMENT_COUNTED, engagementCountedOf } from './engagement-events';

/** A golden sample of `campaign.engagement-counted` v1 as tracking publishes it. */
const GOLDEN: EventEnvelope = JSON.parse(`{
  "id": "0190f5c2-0000-7000-8000-0000000000e1",
  "type": "campaign.engagement-counted",
  "version": 1,
  "tenantId": "0190f5c2-0000-7000-8000-0000000000a1",
  "region": "EEA",
  "occurredAt": "2026-12-07T16:00:01.000Z",
  "data": {
    "campaignId": "0190f5c2-0000-7000-8000-0000000000c1",
    "revision": 7,
    "countedAt": "2026-12-07T16:00:00.950Z",
    "opens": 12, "uniqueOpens": 9, "machineOpens": 4,
    "clicks": 3, "uniqueClicks": 2, "machineClicks": 1
  }
}`);

describe('campaign.engagement-counted v1 (R-K4, R-S7)', () => {
  it('R-S7: reads the golden sample: the tenant, the campaign, its revision and the absolute counts', () => {
    expect(GOLDEN.type).toBe(CAMPAIGN_ENGAGEMENT_COUNTED);
    expect(engagementCountedOf(GOLDEN)).toEqual({
      tenantId: '0190f5c2-0000-7000-8000-0000000000a1',
      campaignId: '0190f5c2-0000-7000-8000-0000000000c1',
      revision: 7,
      countedAt: '2026-12-07T16:00:00.950Z',
      opens: 12,
      uniqueOpens: 9,
      machineOpens: 4,
      clicks: 3,
      uniqueClicks: 2,
      machineClicks: 1,
    });
  });

  it('R-K4: keeps counts only; anything else in the event is not carried on', () => {
    const withContact = { ...GOLDEN, data: { ...(GOLDEN.data as object), contactId: GOLDEN.tenantId } };
    expect(engagementCountedOf(withContact)).not.toHaveProperty('contactId');
  });

  it.each([
    ['another version', { version: 2 }],
    ['no tenant', { tenantId: null }],
    ['a campaign id that is not one', { data: { campaignId: 'c1' } }],
    ['revision 0', { data: { revision: 0 } }],
    ['a negative count', { data: { opens: -1 } }],
    ['a fractional count', { data: { uniqueClicks: 1.5 } }],
    ['a count as text', { data: { machineOpens: '4' } }],
    ['a missing count', { data: { machineClicks: undefined } }],
    ['a time that is not one', { data: { countedAt: 'now' } }],
  ])('skips %s', (_, change: { data?: object } & Partial<EventEnvelope>) => {
    const data = { ...(GOLDEN.data as object), ...change.data };
    expect(engagementCountedOf({ ...GOLDEN, ...change, data })).toBeNull();
  });

  it('skips an event without data', () => {
    expect(engagementCountedOf({ ...GOLDEN, data: null })).toBeNull();
  });
});
