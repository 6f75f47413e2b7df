import { randomUUID } from 'node:crypto';
import { CONTACT_ENGAGED, eventDataViolation } from '@missive/contracts';
import { contactEngagementOf } from './contact-engaged.rules';
import type { StoredHit } from './engagement.rules';

describe('tracking.contact-engaged as the tracking consumer writes it, against its contract (R-X5)', () => {
  it('R-X5, R-C9: each contact’s latest human open and click passes the schema the campaigns projection checks', () => {
    const campaignId = randomUUID();
    const [ada, bob] = [randomUUID(), randomUUID()];
    const hit = (contactId: string | null, kind: 'open' | 'click', at: string, machine = false): StoredHit => ({
      hitId: randomUUID(),
      campaignId,
      contactId,
      kind,
      linkIndex: kind === 'click' ? 0 : null,
      at,
      ipTruncated: null,
      userAgent: null,
      machine,
    });
    const facts = contactEngagementOf([
      hit(ada, 'open', '2026-12-07T10:00:00.000Z'),
      hit(ada, 'click', '2026-12-07T10:01:00.000Z'),
      hit(bob, 'open', '2026-12-07T10:02:00.000+01:00'),
      hit(null, 'open', '2026-12-07T10:03:00.000Z'),
      hit(bob, 'click', '2026-12-07T10:04:00.000Z', true),
    ]);
    expect(facts).toHaveLength(2);
    for (const fact of facts) expect(eventDataViolation(CONTACT_ENGAGED, 1, fact)).toBeNull();
  });
});
