import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { regionPrefix, type Region } from '@missive/contracts';
import { MissiveConfig } from '@missive/config';
import { RedisClients } from '@missive/redis';
import type { ImportJobData } from './import-runner';

export const IMPORT_QUEUE = 'contacts-import';

/**
 * Redis key prefix of the region's import queue: the region (R-T2), plus the namespace when one is set (tests
 * running side by side never take each other's imports).
 */
export function importQueuePrefix(region: Region, namespace: string | null): string {
  return namespace ? `${regionPrefix(region)}:${namespace}` : regionPrefix(region);
}

/** Attempts of an import job; each resumes from the last committed batch, so a retry repeats nothing. */
export const IMPORT_ATTEMPTS = 5;

/**
 * One BullMQ queue per region, on that region's Redis, keys prefixed `na:` / `eea:` (R-T2). Jobs carry ids only;
 * the job id is the import id, so the same import is never queued twice.
 */
@Injectable()
export class ImportQueues implements OnModuleDestroy {
  private readonly queues = new Map<Region, Queue<ImportJobData>>();

  constructor(
    private readonly config: MissiveConfig,
    private readonly redis: RedisClients,
  ) {}

  forRegion(region: Region): Queue<ImportJobData> {
    let queue = this.queues.get(region);
    if (!queue) {
      queue = new Queue<ImportJobData>(IMPORT_QUEUE, {
        connection: this.redis.forRegion(region),
        prefix: importQueuePrefix(region, this.config.queueNamespace),
      });
      this.queues.set(region, queue);
    }
    return queue;
  }

  async enqueue(data: ImportJobData): Promise<void> {
    await this.forRegion(data.region).add('import', data, {
      jobId: data.importId,
      attempts: IMPORT_ATTEMPTS,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
