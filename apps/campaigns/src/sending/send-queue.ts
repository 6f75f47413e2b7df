import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { RedisClients } from '@missive/redis';

export const SEND_QUEUE = 'campaign-send';

/** Job data carries ids only (R-P2: queued jobs hold no personal data). */
export interface StartJob {
  kind: 'start';
  tenantId: string;
  campaignId: string;
}

export interface BatchJob {
  kind: 'batch';
  tenantId: string;
  campaignId: string;
  contactIds: string[];
}

export type SendJob = StartJob | BatchJob;

/** Redis key prefix of the region's queues, so the purge finds a tenant's jobs in the right store (R-T2, R-P2). */
export function queuePrefix(region: Region, namespace: string | null): string {
  return namespace ? `${region.toLowerCase()}:bull:${namespace}` : `${region.toLowerCase()}:bull`;
}

/** The send pipeline's queue, one per region on that region's Redis. */
@Injectable()
export class SendQueue implements OnModuleDestroy {
  private readonly queues = new Map<Region, Queue<SendJob>>();

  constructor(
    private readonly config: MissiveConfig,
    private readonly redis: RedisClients,
  ) {}

  forRegion(region: Region): Queue<SendJob> {
    let queue = this.queues.get(region);
    if (!queue) {
      queue = new Queue<SendJob>(SEND_QUEUE, {
        connection: this.redis.forRegion(region),
        prefix: queuePrefix(region, this.config.queueNamespace),
        defaultJobOptions: {
          attempts: 20,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 3600, count: 10000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      });
      this.queues.set(region, queue);
    }
    return queue;
  }

  /**
   * Starts (or resumes) a campaign after `delayMs`. A start is harmless to repeat: the snapshot adds nothing twice
   * and the ledger claim stops a second send, so the state machine alone guards against double clicks.
   */
  async start(
    tenant: { id: string; region: Region },
    campaignId: string,
    delayMs: number,
    jobId?: string,
  ): Promise<void> {
    await this.forRegion(tenant.region).add(
      'start',
      { kind: 'start', tenantId: tenant.id, campaignId },
      { delay: Math.max(delayMs, 0), ...(jobId ? { jobId } : {}) },
    );
  }

  /**
   * Queues a start's pending recipients in batches. Job ids name the start, so a later start (resume, a re-check
   * after a crash) queues what is still pending even where an earlier batch of the same recipients is kept as done.
   */
  async enqueueBatches(
    region: Region,
    campaign: { tenantId: string; campaignId: string },
    startId: string,
    contactIds: string[],
    batchSize: number,
  ): Promise<number> {
    const jobs = [];
    for (let i = 0; i < contactIds.length; i += batchSize) {
      jobs.push({
        name: 'batch',
        data: {
          kind: 'batch' as const,
          tenantId: campaign.tenantId,
          campaignId: campaign.campaignId,
          contactIds: contactIds.slice(i, i + batchSize),
        },
        opts: { jobId: `batch-${campaign.campaignId}-${startId}-${i / batchSize}` },
      });
    }
    if (jobs.length) await this.forRegion(region).addBulk(jobs);
    return jobs.length;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
