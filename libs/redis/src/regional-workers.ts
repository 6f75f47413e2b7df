import { type Job, type Processor, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import type { Region } from '@missive/contracts';
import type { Logger, Metrics } from '@missive/observability';
import type { RedisClients } from './redis-clients';

export interface RegionalWorkersOptions<T> {
  queue: string;
  regions: readonly Region[];
  redis: RedisClients;
  /** The queue's key prefix in a region (its namespace included). */
  prefixFor: (region: Region) => string;
  process: (region: Region, job: Job<T>, token: string | undefined) => Promise<unknown>;
  /** Concurrency, lock and stall settings, backoff strategy: everything but the connection and prefix. */
  workerOptions?: Omit<WorkerOptions, 'connection' | 'prefix'>;
  metrics: Metrics;
  logger: Logger;
  /** After the failure is counted; `final` when BullMQ will not try the job again. */
  onFailed?: (region: Region, job: Job<T> | undefined, error: Error, final: boolean) => void;
}

/** Whether BullMQ is done with a failed job: no attempt left, or an error that says not to retry. */
export function isFinalFailure(job: Job | undefined, error: Error): boolean {
  return !!job && (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1));
}

/**
 * One BullMQ worker per served region for a queue, each on its region's Redis (R-T2), with the listeners every
 * worker needs: failures counted in `missive_queue_job_failures_total` (final or to be retried), and `'error'`
 * logged, without which a lost Redis connection is an unhandled error event that ends the process.
 */
export function startRegionalWorkers<T>(options: RegionalWorkersOptions<T>): Worker<T>[] {
  return options.regions.map((region) => {
    const processor: Processor<T> = (job, token) => options.process(region, job, token);
    const worker = new Worker<T>(options.queue, processor, {
      ...options.workerOptions,
      connection: options.redis.forRegion(region),
      prefix: options.prefixFor(region),
    });
    worker.on('failed', (job, error) => {
      const final = isFinalFailure(job, error);
      options.metrics.queueJobFailures.inc({ region, queue: options.queue, final: String(final) });
      options.onFailed?.(region, job, error, final);
    });
    worker.on('error', (error) => options.logger.error({ err: error, region, queue: options.queue }, 'worker error'));
    return worker;
  });
}

/** Stops the workers: each finishes its running jobs first (BullMQ's graceful close). */
export async function closeWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.close()));
}
