import { Module, type NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { TenancyModule } from '@missive/tenancy';
import { ContactProjectionConsumer } from './audience/contact-projection.consumer';
import { ContactProjectionRepository } from './audience/contact-projection.repository';
import { AudienceRepository } from './audience/audience.repository';
import { ContactEngagementRepository } from './audience/contact-engagement.repository';
import { ProjectionFreshness } from './audience/projection-freshness';
import { honourRouteBodyLimits } from './campaigns/campaign-body-limit';
import { CampaignPreviewService } from './campaigns/campaign-preview.service';
import { CampaignController } from './campaigns/campaign.controller';
import { CampaignRepository } from './campaigns/campaign.repository';
import { CampaignService } from './campaigns/campaign.service';
import { OptInMailConsumer } from './opt-in/opt-in-mail.consumer';
import { OptInMessageRepository } from './opt-in/opt-in-message.repository';
import { EngagementCountedConsumer } from './reports/engagement-counted.consumer';
import { EngagementCountsRepository } from './reports/engagement-counts.repository';
import { ReportService } from './reports/report.service';
import { BatchSender } from './sending/batch-sender';
import { ClaimHeartbeat } from './sending/claim-heartbeat';
import { ComplaintGuard } from './sending/complaint-guard';
import { ComplaintGuardMetrics } from './sending/complaint-guard.metrics';
import { DeliveryFeedbackConsumer } from './sending/delivery-feedback.consumer';
import { DeliveryFeedbackRepository } from './sending/delivery-feedback.repository';
import { DeliveryLedgerRepository } from './sending/delivery-ledger.repository';
import { GateStateRepository } from './sending/gate-state.repository';
import { OutcomeRecorder } from './sending/outcome-recorder';
import { SendQueue } from './sending/send-queue';
import { SendRateLimiter } from './sending/send-rate-limiter';
import { SendWindow } from './sending/send-window';
import { SendWorker } from './sending/send.worker';
import { SmtpSender } from './sending/smtp-sender';
import { DnsTxtLookup } from './sending-domains/dns-txt-lookup';
import { SendingDomainKeys } from './sending-domains/sending-domain-keys';
import { SendingDomainController } from './sending-domains/sending-domain.controller';
import { SendingDomainRepository } from './sending-domains/sending-domain.repository';
import { SendingDomainService } from './sending-domains/sending-domain.service';

/** The campaigns service (R-S1..S7): API, contact projection, send pipeline, reports. */
@Module({
  imports: [TenancyModule],
  controllers: [
    CampaignController,
    SendingDomainController,
    ContactProjectionConsumer,
    EngagementCountedConsumer,
    DeliveryFeedbackConsumer,
    OptInMailConsumer,
  ],
  providers: [
    CampaignService,
    CampaignPreviewService,
    ProjectionFreshness,
    ReportService,
    EngagementCountsRepository,
    AudienceRepository,
    ContactProjectionRepository,
    ContactEngagementRepository,
    DeliveryLedgerRepository,
    CampaignRepository,
    DeliveryFeedbackRepository,
    ComplaintGuard,
    OptInMessageRepository,
    SendQueue,
    SendWorker,
    BatchSender,
    GateStateRepository,
    OutcomeRecorder,
    ClaimHeartbeat,
    ComplaintGuardMetrics,
    SendRateLimiter,
    SendWindow,
    SmtpSender,
    SendingDomainService,
    SendingDomainKeys,
    SendingDomainRepository,
    DnsTxtLookup,
  ],
})
export class CampaignsModule implements NestModule {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Runs before the routes are registered: the create route takes bodies above the global 1 MB limit. */
  configure(): void {
    honourRouteBodyLimits(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
