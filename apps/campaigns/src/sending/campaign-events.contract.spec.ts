import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAMPAIGN_LINKS_REGISTERED, eventDataViolation, type CampaignLinksRegisteredV1 } from '@missive/contracts';
import { planLinks } from './link-plan';
import { deliveryEvents } from './outcome-recorder';

const goldenData = (file: string) =>
  (
    JSON.parse(readFileSync(join(__dirname, '../../../../libs/contracts/golden', file), 'utf8')) as {
      envelope: { data: Record<string, unknown> };
    }
  ).envelope.data;

describe('the campaigns service’s events as its code writes them, against their contracts (R-X5)', () => {
  const campaignId = randomUUID();

  it('R-X5, R-S8: delivery.recorded of the relay’s bounces passes its schema, with the golden’s fields', () => {
    const events = deliveryEvents('EEA', randomUUID(), [
      {
        campaignId,
        contactId: randomUUID(),
        state: 'bounced',
        reason: '550 5.1.1',
        messageId: null,
        delivery: { outcome: 'hard-bounce', status: '5.1.1' },
      },
      {
        campaignId,
        contactId: randomUUID(),
        state: 'failed',
        reason: null,
        messageId: null,
        delivery: { outcome: 'soft-bounce', status: null },
      },
    ]);
    expect(events).toHaveLength(2);
    for (const e of events) expect(eventDataViolation(e.type, e.version ?? 1, e.data)).toBeNull();
    expect(Object.keys(goldenData('delivery.recorded.v1.json')).sort()).toEqual(
      Object.keys(events[0].data as object).sort(),
    );
  });

  it('R-X5, R-K3: campaign.links-registered of a planned template passes its schema', () => {
    const { links } = planLinks(
      '<a href="https://shop.example.com/a?x=1">a</a> <a href=http://example.org/b>b</a> <a href="{{ url }}">c</a>',
    );
    expect(links).toHaveLength(2);
    const data: CampaignLinksRegisteredV1 = { campaignId, links };
    expect(eventDataViolation(CAMPAIGN_LINKS_REGISTERED, 1, data)).toBeNull();
    expect(Object.keys(goldenData('campaign.links-registered.v1.json')).sort()).toEqual(Object.keys(data).sort());
  });
});
