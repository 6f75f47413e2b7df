import { Controller, Inject } from '@nestjs/common';
import { CAMPAIGN_LINKS_REGISTERED, type CampaignLinksRegisteredV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { RedisClients } from '@missive/redis';
import { isUuid } from '@missive/tokens';
import { LinkCache } from '../links/link-cache';
import { LinksRepository, type CampaignLinks } from '../links/links.repository';
import { campaignLinksKey, isLinkIndex, redirectableUrl } from '../links/links.rules';
import { forEachTenant } from './by-tenant';

/**
 * Keeps the links of each campaign (R-K3) in the regional table (the record) and in the region's Redis (what the
 * click path reads, R-K5). Links that are not absolute http(s) URLs are dropped: a click on them answers 404.
 */
@Controller()
export class CampaignLinksRegisteredConsumer {
  constructor(
    private readonly links: LinksRepository,
    private readonly redis: RedisClients,
    private readonly cache: LinkCache,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @ConsumeEvents('tracking', CAMPAIGN_LINKS_REGISTERED)
  async onLinksRegistered({ region, events, manager }: EventBatch<CampaignLinksRegisteredV1>): Promise<void> {
    const registrations: CampaignLinks[] = [];
    for (const e of events) {
      if (typeof e.tenantId !== 'string' || !isUuid(e.tenantId) || !isUuid(e.data?.campaignId)) continue;
      const links = (Array.isArray(e.data.links) ? e.data.links : [])
        .map((l) => ({ index: l?.index, url: redirectableUrl(l?.url) }))
        .filter((l): l is { index: number; url: string } => isLinkIndex(l.index) && l.url !== null);
      const dropped = (Array.isArray(e.data.links) ? e.data.links.length : 0) - links.length;
      if (dropped > 0) this.logger.warn({ campaignId: e.data.campaignId, dropped }, 'dropped unusable campaign links');
      if (links.length > 0) registrations.push({ tenantId: e.tenantId, campaignId: e.data.campaignId, links });
    }
    if (registrations.length === 0) return;
    await forEachTenant(manager!, registrations, (tenantId, list) => this.links.save(manager!, tenantId, list));
    // Redis after the rows: if the transaction then fails, the redelivered events write the same values again.
    const pipeline = this.redis.forRegion(region).multi();
    for (const r of registrations) {
      pipeline.hset(
        campaignLinksKey(region, r.tenantId, r.campaignId),
        Object.fromEntries(r.links.map((l) => [String(l.index), l.url])),
      );
    }
    await pipeline.exec();
    for (const r of registrations) this.cache.forget(region, r.tenantId, r.campaignId);
  }
}
