import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { MissiveConfig } from '@missive/config';
import { CAMPAIGN_FINISHED, type CampaignFinishedV1, type Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';
import { Metrics, type Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { closeWorkers, RedisClients, startRegionalWorkers } from '@missive/redis';
import { ProjectionFreshness } from '../audience/projection-freshness';
import { CampaignRepository } from '../campaigns/campaign.repository';
import { isSendable, transition } from '../campaigns/campaign.rules';
import { BatchSender } from './batch-sender';
import { DeliveryLedgerRepository, STALE_CLAIM_SECONDS } from './delivery-ledger.repository';
import { queuePrefix, SEND_QUEUE, SendQueue, type BatchJob, type SendJob, type StartJob } from './send-queue';

/** Recipients per batch job. */
const BATCH_SIZE = 500;
/**
 * Batch jobs one process runs at once. They share the process's SEND_WINDOW (send-window.ts): two, so that one job's
 * last messages and the next job's start do not leave the window half empty.
 */
const JOB_CONCURRENCY = 2;
/**
 * A dead process's jobs go back to the queue within LOCK_MS + STALLED_CHECK_MS. Running a batch twice is harmless
 * (the ledger claim stops a second send), so a stalled job is always retried, however often.
 */
const LOCK_MS = 10000;
const STALLED_CHECK_MS = 5000;
const MAX_STALLED = 1000;

/** How long a start waits for the contact projection before it is retried (BullMQ backoff). */
const PROJECTION_WAIT_MS = 10000;

class TransientDeliveryError extends Error {}

/**
 * The send pipeline's worker (R-S2..R-S6), thin: a start job snapshots the audience into the ledger and queues
 * batches; a batch job is handed to the BatchSender; either one then checks whether the campaign is done.
 */
@Injectable()
export class SendWorker implements OnModuleInit, OnModuleDestroy {
  private readonly workers: Worker<SendJob>[] = [];

  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly redis: RedisClients,
    private readonly queue: SendQueue,
    private readonly sender: BatchSender,
    private readonly ledger: DeliveryLedgerRepository,
    private readonly campaigns: CampaignRepository,
    private readonly freshness: ProjectionFreshness,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.workers.push(
      ...startRegionalWorkers<SendJob>({
        queue: SEND_QUEUE,
        regions: this.config.regions,
        redis: this.redis,
        prefixFor: (region) => queuePrefix(region, this.config.queueNamespace),
        process: (region, job) => this.process(region, job),
        workerOptions: {
          concurrency: JOB_CONCURRENCY,
          lockDuration: LOCK_MS,
          stalledInterval: STALLED_CHECK_MS,
          maxStalledCount: MAX_STALLED,
        },
        metrics: this.metrics,
        logger: this.logger,
        onFailed: (_region, job, error) =>
          this.logger.warn({ jobId: job?.id, err: error }, 'send job failed; BullMQ retries it'),
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    // Graceful (R-X4): stop taking jobs, let the running ones finish their current messages.
    await closeWorkers(this.workers);
  }

  private process(region: Region, job: Job<SendJob>): Promise<void> {
    return job.data.kind === 'start' ? this.start(region, job.data, job.id!) : this.batch(region, job.data);
  }

  private async start(region: Region, data: StartJob, startId: string): Promise<void> {
    // R-S1: the audience holds every contact written before the send, however far behind the projection is.
    if (!(await this.freshness.caughtUp(region, PROJECTION_WAIT_MS)))
      throw new Error('the contact projection is behind; the campaign starts once it has caught up');
    const contactIds = await this.databases.withTenant(region, data.tenantId, async (m) => {
      const campaign = await this.campaigns.find(m, data.tenantId, data.campaignId, { lock: true });
      if (!campaign) throw new UnrecoverableError('campaign not found');
      if (campaign.status === 'scheduled') await this.campaigns.setStatus(m, data.tenantId, campaign.id, 'sending');
      else if (!isSendable(campaign.status)) return [];
      const size = await this.ledger.snapshot(m, data.tenantId, campaign.id, campaign.audience);
      await this.campaigns.setAudienceSize(m, campaign.id, size);
      return this.ledger.pendingContacts(m, campaign.id);
    });
    await this.queue.enqueueBatches(
      region,
      { tenantId: data.tenantId, campaignId: data.campaignId },
      startId,
      contactIds,
      BATCH_SIZE,
    );
    await this.completeIfDone(region, data.tenantId, data.campaignId);
  }

  private async batch(region: Region, data: BatchJob): Promise<void> {
    const result = await this.sender.send(region, data.tenantId, data.campaignId, data.contactIds);
    if (result.transient > 0)
      throw new TransientDeliveryError(`${result.transient} messages met a temporary failure; retrying them later`);
    await this.completeIfDone(region, data.tenantId, data.campaignId);
  }

  /**
   * Marks the campaign sent once no message is pending or in flight. Claims left by a dead process become `unknown`
   * once stale (R-S6); while only claims remain, a delayed re-check (one per campaign and period) comes back for
   * them, so a campaign whose last sender died still finishes.
   */
  private async completeIfDone(region: Region, tenantId: string, campaignId: string): Promise<void> {
    const recheck = await this.databases.withTenant(region, tenantId, async (m) => {
      let open = await this.ledger.open(m, campaignId);
      // Pending messages belong to queued batch jobs, which come back here; stale claims matter only at the end.
      if (open.pending) return false;
      if (open.sending && (await this.ledger.markStaleClaimsUnknown(m, campaignId)) > 0)
        open = await this.ledger.open(m, campaignId);
      const campaign = await this.campaigns.find(m, tenantId, campaignId, { lock: true });
      if (!campaign) return false;
      if (!open.pending && !open.sending) {
        if (transition(campaign.status, 'complete', null, new Date()).ok) {
          await this.campaigns.setStatus(m, tenantId, campaignId, 'sent');
          // R-X7: the tenant's webhooks hear of it; the event commits with the status.
          const data: CampaignFinishedV1 = { campaignId, status: 'sent' };
          await appendToOutbox(m, [{ type: CAMPAIGN_FINISHED, region, tenantId, key: campaignId, data }]);
        }
        return false;
      }
      // Only claims remain: those without a live job need a re-check once they can have gone stale.
      return isSendable(campaign.status);
    });
    if (recheck) {
      // One re-check per campaign and period; it runs a period and a second later, so never under its own id.
      const period = Math.floor(Date.now() / (STALE_CLAIM_SECONDS * 1000));
      await this.queue.start(
        { id: tenantId, region },
        campaignId,
        (STALE_CLAIM_SECONDS + 1) * 1000,
        `recheck-${campaignId}-${period}`,
      );
    }
  }
}
