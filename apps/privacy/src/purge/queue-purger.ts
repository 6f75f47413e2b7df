import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { Queue, type Job, type JobType } from 'bullmq';
import type { Region } from '@missive/contracts';
import { RedisClients } from '@missive/redis';
import { throwIfStopped, type PurgeSignal } from './purge-abort';
import { PurgeProgressRepository } from './purge-progress.repository';
import { jobBelongsTo, queueOfMetaKey, storeName } from './purge.rules';
import { scanKeys } from './redis-purger';

/** Every state a job can rest in; finished jobs are kept by default, so completed and failed count too (R-P2). */
const JOB_STATES: JobType[] = [
  'waiting',
  'delayed',
  'prioritized',
  'paused',
  'waiting-children',
  'active',
  'completed',
  'failed',
];
const PAGE = 500;
/** An active job cannot be removed while a worker holds its lock; the purge waits this long for it to finish. */
const ACTIVE_WAIT_MS = 30000;

/**
 * The tenant's BullMQ jobs in the region's Redis (R-P2): the queues are found by their meta keys under the region's
 * prefix (any service's, any namespace), and every job whose data names the tenant is removed, whatever its state.
 */
@Injectable()
export class QueuePurger {
  constructor(
    private readonly redis: RedisClients,
    private readonly progress: PurgeProgressRepository,
  ) {}

  async purge(region: Region, tenantId: string, signal: PurgeSignal): Promise<void> {
    const store = storeName('bullmq', region);
    if (await this.progress.isDone(region, tenantId, store)) return;
    const connection = this.redis.forRegion(region);
    const metas = await scanKeys(connection, `${region.toLowerCase()}:*:meta`);
    const queues = metas
      .map(queueOfMetaKey)
      .filter((q): q is { prefix: string; name: string } => q !== null)
      .map((q) => new Queue(q.name, { connection, prefix: q.prefix }));
    try {
      let jobs = await this.tenantJobs(queues, tenantId);
      await this.progress.plan(region, tenantId, store, jobs.length);
      const deadline = Date.now() + ACTIVE_WAIT_MS;
      while (jobs.length > 0) {
        throwIfStopped(signal);
        for (const job of jobs) await job.remove().catch(() => undefined);
        jobs = await this.tenantJobs(queues, tenantId);
        if (jobs.length === 0) break;
        if (Date.now() > deadline) throw new Error(`${jobs.length} jobs of the tenant are still locked by workers`);
        await sleep(500);
      }
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
    await this.progress.finish(region, tenantId, store);
  }

  private async tenantJobs(queues: Queue[], tenantId: string): Promise<Job[]> {
    const found: Job[] = [];
    for (const queue of queues) {
      for (const state of JOB_STATES) {
        for (let start = 0; ; start += PAGE) {
          const page = await queue.getJobs([state], start, start + PAGE - 1, true);
          for (const job of page) if (job && jobBelongsTo(job.data, tenantId)) found.push(job);
          if (page.length < PAGE) break;
        }
      }
    }
    return found;
  }
}
