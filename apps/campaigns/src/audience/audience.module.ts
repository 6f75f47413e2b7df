import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { AudienceController } from './audience.controller';
import { AudiencePreviewService } from './audience-preview.service';
import { AudienceRepository } from './audience.repository';
import { ContactEngagedConsumer } from './contact-engaged.consumer';
import { ContactEngagementRepository } from './contact-engagement.repository';

/** Audiences (R-C9): the preview count and the engagement projection the filters read. */
@Module({
  imports: [TenancyModule],
  controllers: [AudienceController, ContactEngagedConsumer],
  providers: [AudiencePreviewService, AudienceRepository, ContactEngagementRepository],
})
export class AudienceModule {}
