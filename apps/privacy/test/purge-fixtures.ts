import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@missive/config';
import { REGIONS, type Region } from '@missive/contracts';
import { tenantRedisKey } from '@missive/redis';
import { adminQuery } from '@missive/testing';

/** What the fixtures put in the stores that have no API of their own, to compare with the certificate. */
export interface SeededStores {
  redisKeys: number;
  jobs: number;
  files: number;
  /** Another tenant whose jobs sit in the same queue, in the same states: a purge must leave them all. */
  neighbourId: string;
}

/** The states the probe queue holds jobs in, for the purged tenant and its neighbour alike (sorted). */
export const SEEDED_JOB_STATES = ['completed', 'delayed', 'failed', 'waiting'];
const PROBE_QUEUE = 'purge-probe';

/**
 * One job per state for each tenant: a worker runs the first two (one completes, one throws: BullMQ keeps finished
 * jobs by default), then one is added delayed and one waiting, with no worker left to take it.
 */
async function seedJobs(redisUrl: string, prefix: string, tenantIds: string[]): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(PROBE_QUEUE, { connection, prefix });
  const events = new QueueEvents(PROBE_QUEUE, { connection: connection.duplicate(), prefix });
  const worker = new Worker(
    PROBE_QUEUE,
    async (job) => {
      if ((job.data as { note: string }).note === 'failed') throw new Error('probe failure');
      return 'done';
    },
    { connection: connection.duplicate(), prefix, autorun: false },
  );
  try {
    await events.waitUntilReady();
    const finished = [];
    for (const tenantId of tenantIds) {
      const done = await queue.add('probe', { tenantId, note: 'completed' });
      const failed = await queue.add('probe', { tenantId, note: 'failed' }, { attempts: 1 });
      finished.push(
        done.waitUntilFinished(events),
        failed.waitUntilFinished(events).catch(() => undefined),
      );
    }
    void worker.run();
    await Promise.all(finished);
    await worker.close();
    for (const tenantId of tenantIds) {
      await queue.add('probe', { tenantId, note: 'delayed' }, { delay: 3600_000 });
      await queue.add('probe', { tenantId, note: 'waiting' });
    }
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    connection.disconnect();
  }
}

/** The states of the probe queue's jobs naming `tenantId`, sorted (the queue under `prefix` in `region`). */
export async function probeJobStates(region: Region, prefix: string, tenantId: string): Promise<string[]> {
  const connection = new Redis(loadConfig().redis[region]);
  const queue = new Queue(PROBE_QUEUE, { connection, prefix });
  try {
    const states: string[] = [];
    const all: JobType[] = ['waiting', 'delayed', 'prioritized', 'paused', 'active', 'completed', 'failed'];
    for (const state of all) {
      for (const job of await queue.getJobs([state], 0, -1)) {
        if ((job?.data as { tenantId?: string } | undefined)?.tenantId === tenantId) states.push(state);
      }
    }
    return states.sort();
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/**
 * Rows straight into the tables (as the database owner, past RLS) in bulk: contacts (the insert trigger adds
 * a consent row for each), tracking hits, deliveries. Returns nothing; count with `tenantRowCounts`.
 */
export async function seedRows(
  region: Region,
  tenantId: string,
  counts: { contacts: number; hits: number },
): Promise<void> {
  const campaignId = '00000000-0000-4000-8000-000000000001';
  await adminQuery(
    region,
    `INSERT INTO contacts (tenant_id, email, first_name, region, lawful_basis, consent)
     SELECT $1, 'person' || i || '@example.com', 'Person ' || i, $2, 'consent',
            jsonb_build_object('givenAt', '2026-01-01T00:00:00Z', 'source', 'fixture')
       FROM generate_series(1, $3::int) AS i`,
    [tenantId, region, counts.contacts],
  );
  await adminQuery(
    region,
    `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, ip_truncated, user_agent, machine)
     SELECT gen_random_uuid(), $1, $2, gen_random_uuid(), CASE WHEN i % 3 = 0 THEN 'click' ELSE 'open' END, now(),
            '192.0.2.0', 'Mozilla/5.0', false
       FROM generate_series(1, $3::int) AS i`,
    [tenantId, campaignId, counts.hits],
  );
  await adminQuery(
    region,
    `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state, message_id)
     SELECT tenant_id, $2, id, 'sent', '<' || id || '@missive.test>' FROM contacts WHERE tenant_id = $1 LIMIT 100`,
    [tenantId, campaignId],
  );
}

/**
 * Redis keys, BullMQ jobs (one in each of SEEDED_JOB_STATES, in a queue under the region's prefix, beside the same
 * set of a neighbour tenant's) and import files.
 */
export async function seedOtherStores(
  region: Region,
  tenantId: string,
  options: { dataDir: string; queuePrefix: string },
): Promise<SeededStores> {
  const config = loadConfig();
  const redis = new Redis(config.redis[region]);
  try {
    await redis.sadd(tenantRedisKey(region, tenantId, 'optouts'), 'c1', 'c2');
    await redis.set(tenantRedisKey(region, tenantId, 'probe'), '1');
  } finally {
    redis.disconnect();
  }
  const neighbourId = randomUUID();
  await seedJobs(config.redis[region], options.queuePrefix, [tenantId, neighbourId]);
  const folder = join(options.dataDir, region.toLowerCase(), tenantId, 'imports');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'a.csv'), 'email\nperson1@example.com\n');
  writeFileSync(join(folder, 'b.csv'), 'email\nperson2@example.com\n');
  return { redisKeys: 2, jobs: SEEDED_JOB_STATES.length, files: 2, neighbourId };
}

/** Rows of the tenant per table with a tenant_id column, in one regional database (0s left out). */
export async function tenantRowCounts(region: Region, tenantId: string): Promise<Record<string, number>> {
  const tables = await adminQuery<{ table_name: string }>(
    region,
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [{ n }] = await adminQuery<{ n: number }>(
      region,
      `SELECT count(*)::int AS n FROM "${table_name}" WHERE tenant_id = $1`,
      [tenantId],
    );
    if (n > 0) counts[table_name] = n;
  }
  return counts;
}

/**
 * Everything of the tenant left anywhere: rows in both regional databases, Redis keys whose name contains the
 * tenant id (whatever the prefix), BullMQ jobs naming it, files under the data folders.
 */
export async function leftovers(tenantId: string, dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const region of REGIONS) {
    for (const [table, n] of Object.entries(await tenantRowCounts(region, tenantId))) {
      found.push(`${region} ${table}: ${n} rows`);
    }
    const folder = join(dataDir, region.toLowerCase(), tenantId);
    if (existsSync(folder)) found.push(`${folder}: ${readdirSync(folder, { recursive: true }).length} entries`);
  }
  const config = loadConfig();
  for (const url of new Set(Object.values(config.redis))) {
    const redis = new Redis(url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `*${tenantId}*`, 'COUNT', 1000);
        found.push(...keys.map((k) => `redis key ${k}`));
        cursor = next;
      } while (cursor !== '0');
      // Job hashes are named by job id, not tenant: look inside the probe queue's jobs too.
      let jobCursor = '0';
      do {
        const [next, keys] = await redis.scan(jobCursor, 'MATCH', '*:purge-probe:*', 'COUNT', 1000);
        for (const key of keys) {
          if ((await redis.type(key)) !== 'hash') continue;
          const data = await redis.hget(key, 'data');
          if (data?.includes(tenantId)) found.push(`bullmq job ${key}`);
        }
        jobCursor = next;
      } while (jobCursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  return found;
}
