import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError, type Worker } from 'bullmq';
import { MissiveConfig } from '@missive/config';
import { Metrics, type Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { closeWorkers, RedisClients, startRegionalWorkers } from '@missive/redis';
import { IMPORT_QUEUE, importQueuePrefix } from './import-queues';
import { ImportUnrecoverable } from './import-parser';
import { ImportRunner, ImportStopped, type ImportJobData } from './import-runner';
import { ImportSuperseded } from './imports.repository';

/**
 * Lock of a running import: renewed every half of it while the job runs; a worker killed mid-import (SIGKILL)
 * leaves the lock to expire, the job is found stalled and resumed by any worker from its last batch (R-C6).
 */
const LOCK_MS = 15000;
const STALLED_CHECK_MS = 5000;
/** Crashes an import may survive; each resumes from the last committed batch. */
const MAX_STALLS = 20;

/**
 * The import worker, one per region this instance serves, started and stopped with the Nest application.
 * On shutdown (R-X4) a running import stops at its next batch boundary, everything before committed, and goes
 * back to the queue for any instance to resume.
 */
@Injectable()
export class ImportProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly workers: Worker<ImportJobData>[] = [];
  private stopping = false;

  constructor(
    private readonly config: MissiveConfig,
    private readonly redis: RedisClients,
    private readonly runner: ImportRunner,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.workers.push(
      ...startRegionalWorkers<ImportJobData>({
        queue: IMPORT_QUEUE,
        regions: this.config.regions,
        redis: this.redis,
        prefixFor: (region) => importQueuePrefix(region, this.config.queueNamespace),
        process: (_region, job, token) => this.process(job, token),
        workerOptions: {
          concurrency: 1,
          lockDuration: LOCK_MS,
          stalledInterval: STALLED_CHECK_MS,
          maxStalledCount: MAX_STALLS,
        },
        metrics: this.metrics,
        logger: this.logger,
        onFailed: (_region, job, error, final) => void this.onFailed(job, error, final),
      }),
    );
  }

  private async process(job: Job<ImportJobData>, token: string | undefined): Promise<void> {
    try {
      await this.runner.run(job.data, () => this.stopping);
    } catch (error) {
      if (error instanceof ImportStopped) {
        // Released, not failed: back to the queue at once, without using up an attempt.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (error instanceof ImportSuperseded) return;
      if (error instanceof ImportUnrecoverable) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  private async onFailed(job: Job<ImportJobData> | undefined, error: Error, final: boolean): Promise<void> {
    if (!job) return;
    this.logger.warn({ importId: job.data.importId, err: error, final }, 'import attempt failed');
    if (!final) return;
    try {
      // A database error may quote a row's values: the tenant sees only our own reasons.
      const reason = error instanceof UnrecoverableError ? error.message : 'the import failed after repeated errors';
      await this.runner.fail(job.data, reason);
    } catch (failError) {
      this.logger.error({ err: failError, importId: job.data.importId }, 'could not mark the import failed');
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await closeWorkers(this.workers);
    this.workers.length = 0;
  }
}
