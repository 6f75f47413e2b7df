import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, type Worker } from 'bullmq';
import { loadConfig } from '@missive/config';
import { createLogger, Metrics } from '@missive/observability';
import { closeWorkers, RedisClients, startRegionalWorkers } from '@missive/redis';
import { waitFor } from '@missive/testing';

/**
 * The one set-up of a regional BullMQ worker (issue 24): failures are counted as retried or final, an error that
 * says not to retry is final at once, and each worker has the 'error' listener BullMQ requires.
 */
describe('startRegionalWorkers: the listeners every queue worker needs', () => {
  const config = loadConfig();
  const redis = new RedisClients(config);
  const metrics = new Metrics();
  const queueName = `regional-workers-${randomUUID().slice(0, 8)}`;
  const prefix = `test:${queueName}`;
  let queue: Queue;
  let workers: Worker[] = [];

  beforeAll(async () => {
    await redis.connect();
    queue = new Queue(queueName, { connection: redis.forRegion('NA'), prefix });
  });

  afterAll(async () => {
    await closeWorkers(workers);
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.close();
  });

  const failures = async (final: boolean) =>
    (await metrics.queueJobFailures.get()).values.find(
      (v) => v.labels.queue === queueName && v.labels.final === String(final),
    )?.value ?? 0;

  it('counts a retried failure, then the final one; an UnrecoverableError is final at once', async () => {
    const finals: string[] = [];
    workers = startRegionalWorkers<{ kind: string }>({
      queue: queueName,
      regions: ['NA'],
      redis,
      prefixFor: () => prefix,
      process: async (_region, job) => {
        throw job.data.kind === 'unrecoverable' ? new UnrecoverableError('no') : new Error('again');
      },
      metrics,
      logger: createLogger({ level: 'silent' }),
      onFailed: (_region, job, _error, final) => {
        if (final) finals.push(job!.data.kind);
      },
    });
    expect(workers).toHaveLength(1);
    expect(workers[0].listenerCount('error')).toBe(1);

    await queue.add('retried', { kind: 'retried' }, { attempts: 2 });
    await queue.add('unrecoverable', { kind: 'unrecoverable' }, { attempts: 5 });
    await waitFor(() => finals.length === 2, { what: 'both jobs to fail for good', timeoutMs: 15000 });
    expect(finals.sort()).toEqual(['retried', 'unrecoverable']);
    expect(await failures(false)).toBe(1); // the first attempt of 'retried'
    expect(await failures(true)).toBe(2);
  });
});
