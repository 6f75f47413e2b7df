import { Controller } from '@nestjs/common';
import { TRACKING_HIT, type TrackingHitV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { BlockedContactsRepository } from '../blocked-contacts/blocked-contacts.repository';
import { EngagementRepository } from '../engagement/engagement.repository';
import { anonymised, hitOf } from '../engagement/engagement.rules';
import { forEachTenant } from './by-tenant';

/**
 * Aggregation downstream of the link host (R-K5): stores each hit once (the inbox dedupes by event id = hit id,
 * and the hits table by hit id) and adds it to the contact's engagement and the campaign's counters (R-S7). A
 * blocked contact's hit counts only in the campaign totals (R-K4).
 */
@Controller()
export class TrackingHitConsumer {
  constructor(
    private readonly engagement: EngagementRepository,
    private readonly blocked: BlockedContactsRepository,
  ) {}

  @ConsumeEvents('tracking', TRACKING_HIT)
  async onHits({ events, manager }: EventBatch<TrackingHitV1>): Promise<void> {
    const hits = events.map(hitOf).filter((h) => h !== null);
    await forEachTenant(manager!, hits, async (tenantId, tenantHits) => {
      const blocked = await this.blocked.blockedAmong(manager!, tenantId, [
        ...new Set(tenantHits.map((h) => h.contactId!)),
      ]);
      const stored = tenantHits.map((h) => (blocked.has(h.contactId!) ? anonymised(h) : h));
      await this.engagement.record(manager!, tenantId, stored);
    });
  }
}
