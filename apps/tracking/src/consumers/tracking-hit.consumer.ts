import { Controller } from '@nestjs/common';
import {
  CAMPAIGN_ENGAGEMENT_COUNTED,
  CONTACT_ENGAGED,
  TRACKING_HIT,
  type CampaignEngagementCountedV1,
  type ContactEngagedV1,
  type TrackingHitV1,
} from '@missive/contracts';
import { Databases } from '@missive/database';
import { TenantKeys } from '@missive/tenant-keys';
import { appendToOutbox, ConsumeEvents, type EventBatch, type OutgoingEvent } from '@missive/kafka';
import { BlockedContactsRepository } from '../blocked-contacts/blocked-contacts.repository';
import { contactEngagementOf } from '../engagement/contact-engaged.rules';
import { EngagementRepository } from '../engagement/engagement.repository';
import { anonymised, firstOfEachHit, openedHitOf } from '../engagement/engagement.rules';
import { openHitPersonal } from '../engagement/hit-personal';
import { forEachTenant } from './by-tenant';

/**
 * How long the broker may gather hits (up to 1 MB) before answering the consumer's fetch: at most this much more lag
 * in the reports, for far fewer fetches, offset commits and transactions when opens and clicks pour in. Under load
 * the megabyte fills first (2,600 hits; ~0.4 s at 7,000 hits/s); the wait bounds the lag when traffic is light.
 */
const HIT_BATCH_WAIT_MS = 1000;

/**
 * Aggregation downstream of the link host (R-K5), the one owner of engagement: stores each hit once, adds it to
 * the contact's engagement and the campaign's counts (R-S7), and publishes each changed campaign's counts as
 * `campaign.engagement-counted` through the outbox, with each named contact's latest human open and click as
 * `tracking.contact-engaged` (R-C9's engagement filters), in one transaction per batch. The dedupe is the hits table
 * itself (unique hit id = event id; only the rows it inserts are counted), so this consumer keeps no inbox row per
 * hit — that would be a second write and index entry for every open and click. A blocked contact's hit is
 * anonymised first and counts only in the campaign totals (R-K4), so nothing downstream can link it to the person.
 */
@Controller()
export class TrackingHitConsumer {
  constructor(
    private readonly databases: Databases,
    private readonly engagement: EngagementRepository,
    private readonly blocked: BlockedContactsRepository,
    private readonly keys: TenantKeys,
  ) {}

  @ConsumeEvents('tracking', TRACKING_HIT, { inbox: false, batchWaitMs: HIT_BATCH_WAIT_MS })
  async onHits({ region, events }: EventBatch<TrackingHitV1>): Promise<void> {
    // R-D1: v2 hits carry IP and user agent sealed with the contact's key; an erased contact's open as nothing.
    const personal = await openHitPersonal(this.keys, region, events);
    const hits = firstOfEachHit(events.map((e, i) => openedHitOf(e, personal[i])).filter((h) => h !== null));
    if (hits.length === 0) return;
    await this.databases.forRegion(region).transaction(async (manager) => {
      const counted: OutgoingEvent<CampaignEngagementCountedV1 | ContactEngagedV1>[] = [];
      await forEachTenant(manager, hits, async (tenantId, tenantHits) => {
        const blocked = await this.blocked.blockedAmong(manager, tenantId, [
          ...new Set(tenantHits.map((h) => h.contactId!)),
        ]);
        const stored = tenantHits.map((h) => (blocked.has(h.contactId!) ? anonymised(h) : h));
        for (const counts of await this.engagement.record(manager, tenantId, stored)) {
          counted.push({
            type: CAMPAIGN_ENGAGEMENT_COUNTED,
            region,
            tenantId,
            key: counts.campaignId,
            data: counts satisfies CampaignEngagementCountedV1,
          });
        }
        // Each named contact's latest human open and click, for audience filters (R-C9); a redelivered hit gives
        // the same times again, which the campaigns projection keeps once.
        for (const fact of contactEngagementOf(stored)) {
          counted.push({ type: CONTACT_ENGAGED, region, tenantId, key: fact.contactId, data: fact });
        }
      });
      await appendToOutbox(manager, counted);
    });
  }
}
