import { randomUUID } from 'node:crypto';
import type { CampaignEngagementCountedV1, EventEnvelope } from '@missive/contracts';
import { newestCountsByTenant } from './engagement-counts.rules';

const counts = { opens: 1, uniqueOpens: 1, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0 };
const counted = (
  tenantId: string,
  campaignId: string,
  revision: number,
  over: Partial<CampaignEngagementCountedV1> = {},
): EventEnvelope<CampaignEngagementCountedV1> => ({
  id: randomUUID(),
  type: 'campaign.engagement-counted',
  version: 1,
  tenantId,
  region: 'NA',
  occurredAt: new Date().toISOString(),
  data: { campaignId, revision, countedAt: new Date().toISOString(), ...counts, ...over },
});

describe('engagement counts in the campaigns service (R-S7)', () => {
  const [t1, t2] = [randomUUID(), randomUUID()].sort();
  const [c1, c2] = [randomUUID(), randomUUID()].sort();

  it('R-S7: keeps the newest revision of each campaign, whatever the order in the batch', () => {
    const byTenant = newestCountsByTenant([
      counted(t1, c1, 3, { opens: 3 }),
      counted(t1, c1, 5, { opens: 5 }),
      counted(t1, c1, 4, { opens: 4 }),
      counted(t1, c2, 1),
    ]);
    expect([...byTenant.keys()]).toEqual([t1]);
    expect(byTenant.get(t1)!.map((c) => [c.campaignId, c.revision, c.opens])).toEqual([
      [c1, 5, 5],
      [c2, 1, 1],
    ]);
  });

  it('R-T1: the same campaign id under two tenants is two campaigns', () => {
    const byTenant = newestCountsByTenant([counted(t2, c1, 2), counted(t1, c1, 7)]);
    expect([...byTenant.keys()]).toEqual([t1, t2]);
    expect(byTenant.get(t1)![0].revision).toBe(7);
    expect(byTenant.get(t2)![0].revision).toBe(2);
  });

  it('skips malformed events and other versions', () => {
    const v2 = { ...counted(t1, c1, 9), version: 2 };
    expect(newestCountsByTenant([v2, counted(t1, 'nope', 1), counted(t1, c2, 1, { opens: -1 })]).size).toBe(0);
  });
});
