import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { ContactProjectionConsumer } from './audience/contact-projection.consumer';
import { CampaignController } from './campaigns/campaign.controller';
import { CampaignService } from './campaigns/campaign.service';
import { EngagementConsumer } from './reports/engagement.consumer';
import { ReportService } from './reports/report.service';
import { SendQueue } from './sending/send-queue';
import { SendWorker } from './sending/send.worker';
import { SmtpSender } from './sending/smtp-sender';

/** The campaigns service (R-S1..S7): API, contact projection, send pipeline, reports. */
@Module({
  imports: [TenancyModule],
  controllers: [CampaignController, ContactProjectionConsumer, EngagementConsumer],
  providers: [CampaignService, ReportService, SendQueue, SendWorker, SmtpSender],
})
export class CampaignsModule {}
