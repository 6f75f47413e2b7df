import { Module } from '@nestjs/common';
import { RecipientLimiter } from '@missive/redis';
import { TenancyModule } from '@missive/tenancy';
import { BlockedContactsRepository } from './blocked-contacts/blocked-contacts.repository';
import { CampaignLinksRegisteredConsumer } from './consumers/campaign-links-registered.consumer';
import { ContactPrivacyConsumer } from './consumers/contact-privacy.consumer';
import { TrackingHitConsumer } from './consumers/tracking-hit.consumer';
import { EngagementRepository } from './engagement/engagement.repository';
import { HitPublisher } from './hits/hit-publisher';
import { LinkHostRoutes } from './link-host/link-host.routes';
import { LinkHostService } from './link-host/link-host.service';
import { LinkCache } from './links/link-cache';
import { LinksRepository } from './links/links.repository';

/**
 * The tracking service on the public listener: the link host (`/t/o`, `/t/c`, R-K1..K5) and the consumers that
 * keep the campaign links, the blocked contacts and the engagement aggregates.
 */
@Module({
  imports: [TenancyModule],
  controllers: [TrackingHitConsumer, CampaignLinksRegisteredConsumer, ContactPrivacyConsumer],
  providers: [
    HitPublisher,
    LinkCache,
    LinkHostService,
    LinkHostRoutes,
    RecipientLimiter,
    LinksRepository,
    EngagementRepository,
    BlockedContactsRepository,
  ],
})
export class TrackingModule {}
