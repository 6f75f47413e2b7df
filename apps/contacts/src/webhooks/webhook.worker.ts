import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { MissiveConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { Metrics, type Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { closeWorkers, RedisClients, startRegionalWorkers } from '@missive/redis';
import { TenantKeys } from '@missive/tenant-keys';
import { delivered, retryDelayMs } from './webhook-events.rules';
import { WEBHOOK_QUEUE, webhookQueuePrefix, type WebhookJobData } from './webhook-queues';
import { postWebhook } from './webhook-sender';
import { signWebhook } from './webhook-signing';
import { WebhooksRepository } from './webhooks.repository';

/** Deliveries in flight per region and instance: each mostly waits on the endpoint (up to 10 s). */
const CONCURRENCY = 16;

/** A delivery attempt that did not get a 2xx; BullMQ retries it with the webhook backoff. */
export class WebhookNotDelivered extends Error {}

/**
 * The webhook sender (R-X7), one BullMQ worker per region this instance serves. Each attempt reads the endpoint
 * afresh (a deleted endpoint gets nothing more), opens its secret with the tenant's key, signs the message with
 * the attempt's timestamp and POSTs it; a 2xx is delivered, anything else is retried with backoff for 24 hours.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly workers: Worker<WebhookJobData>[] = [];

  constructor(
    private readonly config: MissiveConfig,
    private readonly redis: RedisClients,
    private readonly databases: Databases,
    private readonly keys: TenantKeys,
    private readonly endpoints: WebhooksRepository,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.workers.push(
      ...startRegionalWorkers<WebhookJobData>({
        queue: WEBHOOK_QUEUE,
        regions: this.config.regions,
        redis: this.redis,
        prefixFor: (region) => webhookQueuePrefix(region, this.config.queueNamespace),
        process: (_region, job) => this.deliver(job),
        workerOptions: {
          concurrency: CONCURRENCY,
          settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
        },
        metrics: this.metrics,
        logger: this.logger,
        onFailed: (_region, job, error, final) => {
          if (final)
            this.logger.warn(
              { tenantId: job?.data.tenantId, endpointId: job?.data.endpointId, reason: error.message },
              'webhook not delivered',
            );
        },
      }),
    );
  }

  private async deliver(job: Job<WebhookJobData>): Promise<void> {
    const { tenantId, region, endpointId, messageId, body } = job.data;
    const endpoint = await this.databases.withTenant(region, tenantId, (m) =>
      this.endpoints.find(m, tenantId, endpointId),
    );
    if (!endpoint) return; // deleted (or the tenant purged): nothing more goes to it
    const secret = await this.keys.open<string>(region, tenantId, endpoint.secret_sealed);
    if (typeof secret !== 'string') return; // the tenant's key is gone (purge)
    const headers = signWebhook(secret, messageId, new Date(), body);
    const result = await postWebhook(endpoint.url, { ...headers }, body, { production: this.config.production });
    if (result.status !== null && delivered(result.status)) return;
    const reason = result.status !== null ? `the endpoint answered ${result.status}` : (result.error ?? 'no answer');
    if (result.refused) throw new UnrecoverableError(reason);
    throw new WebhookNotDelivered(reason);
  }

  async onModuleDestroy(): Promise<void> {
    await closeWorkers(this.workers);
    this.workers.length = 0;
  }
}
