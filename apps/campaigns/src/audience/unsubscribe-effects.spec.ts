import type { EventEnvelope, UnsubscribeRecordedV1 } from '@missive/contracts';
import { unsubscribeEffects } from './unsubscribe-effects';

let n = 0;
const event = (
  tenantId: string | null,
  data: Partial<UnsubscribeRecordedV1>,
): EventEnvelope<UnsubscribeRecordedV1> => ({
  id: `e${n++}`,
  type: 'unsubscribe.recorded',
  version: 1,
  tenantId,
  region: 'NA',
  occurredAt: new Date(0).toISOString(),
  data: { contactId: 'c', campaignId: null, lists: null, source: 'one-click', ...data },
});

describe(unsubscribeEffects.name, () => {
  it('R-U2, R-S7: groups opt-outs, list removals and per-campaign counts by tenant, tenants and campaigns in id order', () => {
    const effects = unsubscribeEffects([
      event('t2', { contactId: 'a', campaignId: 'k2' }),
      event('t1', { contactId: 'b', campaignId: 'k9' }),
      event('t2', { contactId: 'c', campaignId: 'k1', lists: ['news'] }),
      event('t2', { contactId: 'a', campaignId: 'k2' }),
      event('t2', { contactId: 'd', lists: ['deals'] }),
      event(null, { contactId: 'x', campaignId: 'k1' }),
    ]);
    expect(effects).toEqual([
      { tenantId: 't1', optedOut: ['b'], listsLeft: [], perCampaign: [{ campaignId: 'k9', count: 1 }] },
      {
        tenantId: 't2',
        optedOut: ['a'],
        listsLeft: [
          { contactId: 'c', lists: ['news'] },
          { contactId: 'd', lists: ['deals'] },
        ],
        perCampaign: [
          { campaignId: 'k1', count: 1 },
          { campaignId: 'k2', count: 2 },
        ],
      },
    ]);
  });

  it('is empty for a batch without tenant events', () => {
    expect(unsubscribeEffects([event(null, {})])).toEqual([]);
  });
});
