import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { regionPrefix, type Region } from '@missive/contracts';
import { MissiveConfig } from '@missive/config';
import { RedisClients } from '@missive/redis';
import { attemptsFor } from './webhook-events.rules';

export const WEBHOOK_QUEUE = 'contacts-webhooks';
/** The backoff type the worker's strategy answers (`retryDelayMs`). */
export const WEBHOOK_BACKOFF = 'webhook';

/** One delivery of one message to one endpoint: ids and the message body (ids only, R-T2), never the secret. */
export interface WebhookJobData {
  tenantId: string;
  region: Region;
  endpointId: string;
  /** `webhook-id`: the same on every attempt, so the receiver can dedupe. */
  messageId: string;
  body: string;
}

/** Key prefix of the region's webhook queue, as the import queue's: the region (R-T2), and the test namespace. */
export function webhookQueuePrefix(region: Region, namespace: string | null): string {
  return namespace ? `${regionPrefix(region)}:${namespace}` : regionPrefix(region);
}

/**
 * One BullMQ queue per region, on that region's Redis (R-T2). The job id is the message and the endpoint, so an
 * event delivered twice by Kafka queues one delivery. Retried for 24 hours (R-X7), with the worker's backoff.
 */
@Injectable()
export class WebhookQueues implements OnModuleDestroy {
  private readonly queues = new Map<Region, Queue<WebhookJobData>>();
  private readonly attempts = attemptsFor();

  constructor(
    private readonly config: MissiveConfig,
    private readonly redis: RedisClients,
  ) {}

  forRegion(region: Region): Queue<WebhookJobData> {
    let queue = this.queues.get(region);
    if (!queue) {
      queue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, {
        connection: this.redis.forRegion(region),
        prefix: webhookQueuePrefix(region, this.config.queueNamespace),
      });
      this.queues.set(region, queue);
    }
    return queue;
  }

  async enqueue(jobs: readonly WebhookJobData[]): Promise<void> {
    for (const region of new Set(jobs.map((j) => j.region))) {
      await this.forRegion(region).addBulk(
        jobs
          .filter((j) => j.region === region)
          .map((data) => ({
            name: 'deliver',
            data,
            opts: {
              jobId: `${data.messageId}_${data.endpointId}`,
              attempts: this.attempts,
              backoff: { type: WEBHOOK_BACKOFF },
              // Kept an hour once delivered, so a redelivered event finds its job and queues nothing.
              removeOnComplete: { age: 3600 },
              removeOnFail: { age: 24 * 3600 },
            },
          })),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
