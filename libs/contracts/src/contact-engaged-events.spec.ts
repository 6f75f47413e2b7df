import type { EventEnvelope } from './event-envelope';
import { CONTACT_ENGAGED, contactEngagedOf } from './engagement-events';

/** A golden sample of `tracking.contact-engaged` v1 as tracking publishes it. */
const GOLDEN: EventEnvelope = JSON.parse(`{
  "id": "0190f5c2-0000-7000-8000-0000000000e2",
  "type": "tracking.contact-engaged",
  "version": 1,
  "tenantId": "0190f5c2-0000-7000-8000-0000000000a1",
  "region": "NA",
  "occurredAt": "2026-12-07T16:00:01.000Z",
  "data": {
    "contactId": "0190f5c2-0000-7000-8000-0000000000b1",
    "lastOpenedAt": "2026-12-07T15:59:58.120Z",
    "lastClickedAt": null
  }
}`);

describe('tracking.contact-engaged v1 (R-C9, R-K4)', () => {
  it('R-C9: reads the golden sample: the tenant, the contact and its latest human open and click', () => {
    expect(GOLDEN.type).toBe(CONTACT_ENGAGED);
    expect(contactEngagedOf(GOLDEN)).toEqual({
      tenantId: '0190f5c2-0000-7000-8000-0000000000a1',
      contactId: '0190f5c2-0000-7000-8000-0000000000b1',
      lastOpenedAt: '2026-12-07T15:59:58.120Z',
      lastClickedAt: null,
    });
  });

  it.each([
    ['another version', { version: 2 }],
    ['no tenant', { tenantId: null }],
    ['a contact id that is not one', { data: { contactId: 'c1' } }],
    ['a time that is not one', { data: { lastOpenedAt: 'now' } }],
    ['no time at all', { data: { lastOpenedAt: null } }],
  ])('skips %s', (_, change: { data?: object } & Partial<EventEnvelope>) => {
    const data = { ...(GOLDEN.data as object), ...change.data };
    expect(contactEngagedOf({ ...GOLDEN, ...change, data })).toBeNull();
  });
});
