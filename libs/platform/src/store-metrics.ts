import { Queue } from 'bullmq';
import { REGIONS, type Region } from '@missive/contracts';
import type { Platform } from './platform';

/** A scrape waits this long for a store, then reports it down (`missive_store_metrics_up` 0) rather than hang. */
const READ_TIMEOUT_MS = 2000;

/** The states reported by `missive_bullmq_queue_jobs` (completed jobs are history, not depth). */
export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'paused',
  'failed',
] as const;

/**
 * The BullMQ queues Missive runs in a region's Redis, with their key prefixes. Mirrors `IMPORT_QUEUE` in
 * apps/contacts/src/imports/import-queues.ts (prefix: the region), `WEBHOOK_QUEUE` in
 * apps/contacts/src/webhooks/webhook-queues.ts (the same prefix) and `SEND_QUEUE` / `queuePrefix()` in
 * apps/campaigns/src/sending/send-queue.ts (a lib cannot import an app); deploy/observability/observability.spec.ts
 * fails if they drift apart.
 */
export function knownQueues(region: Region, namespace: string | null): { name: string; prefix: string }[] {
  const r = region.toLowerCase();
  return [
    { name: 'contacts-import', prefix: namespace ? `${r}:${namespace}` : r },
    { name: 'campaign-send', prefix: namespace ? `${r}:bull:${namespace}` : `${r}:bull` },
    { name: 'contacts-webhooks', prefix: namespace ? `${r}:${namespace}` : r },
  ];
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** One read shared by every gauge that asks for it during the same scrape (they are collected concurrently). */
function shared(read: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => {
    running ??= read().finally(() => {
      running = null;
    });
    return running;
  };
}

/**
 * Store-derived metrics, read only when `/metrics` is scraped (prom-client `collect`): BullMQ queue depth and
 * failed jobs per queue from the regions' Redis, purges due / overdue (R-P3) from the global `tenants` table, and
 * data-subject requests overdue (R-D3) from the regional databases, for the regions this process serves. A store
 * that is down or slow leaves the gauges empty and sets `missive_store_metrics_up{source}` to 0; the scrape itself
 * never fails or hangs on it.
 */
export function registerStoreMetrics(platform: Platform): void {
  const { metrics } = platform;
  const queues = new Map<string, Queue>();
  const lastUp = new Map<string, boolean>();
  // Up/down per source; logged on a change only, not on every scrape while a store stays down.
  const report = (source: 'bullmq' | 'purges' | 'privacy_requests', error?: unknown) => {
    metrics.storeMetricsUp.set({ source }, error ? 0 : 1);
    if (error && lastUp.get(source) !== false) {
      platform.logger.warn({ err: error }, `metrics: ${source} read failed; its gauges are empty until it answers`);
    }
    lastUp.set(source, !error);
  };

  const queueFor = (region: Region, name: string, prefix: string): Queue => {
    const key = `${prefix}:${name}`;
    let queue = queues.get(key);
    if (!queue) {
      // The platform's connection, shared: no new socket, and closing the platform's Redis ends it.
      queue = new Queue(name, { connection: platform.redis.forRegion(region), prefix });
      queues.set(key, queue);
    }
    return queue;
  };

  metrics.scrapeSources.queues = shared(async () => {
    metrics.queueJobs.reset();
    try {
      const rows = await withTimeout(
        Promise.all(
          platform.config.regions.flatMap((region) => {
            if (platform.redis.forRegion(region).status !== 'ready') {
              throw new Error(`Redis (${region}) is not connected`);
            }
            return knownQueues(region, platform.config.queueNamespace).map(async ({ name, prefix }) => ({
              region,
              name,
              counts: await queueFor(region, name, prefix).getJobCounts(...QUEUE_STATES),
            }));
          }),
        ),
        'Redis',
      );
      for (const { region, name, counts } of rows) {
        for (const state of QUEUE_STATES) {
          metrics.queueJobs.set({ region, queue: name, state }, counts[state] ?? 0);
        }
      }
      report('bullmq');
    } catch (error) {
      metrics.queueJobs.reset();
      report('bullmq', error);
    }
  });

  metrics.scrapeSources.purges = shared(async () => {
    metrics.purgesDue.reset();
    metrics.purgesOverdue.reset();
    const regions = REGIONS.filter((r) => platform.config.regions.includes(r));
    try {
      const global = platform.databases.global;
      if (!global.isInitialized) throw new Error('the global database is not connected');
      const rows: { region: Region; held: boolean; due: string; overdue: string }[] = await withTimeout(
        global.query(
          `SELECT region, legal_hold_reason IS NOT NULL AS held, count(*) AS due,
                  count(*) FILTER (WHERE purge_due_at <= $1::timestamptz - interval '1 hour') AS overdue
             FROM tenants
            WHERE purged_at IS NULL AND purge_due_at <= $1::timestamptz AND region = ANY($2)
            GROUP BY region, held`,
          [platform.clock.now(), regions],
        ),
        'PostgreSQL (global)',
      );
      // Every series exists, 0 included, so an alert on it has something to compare.
      for (const region of regions) {
        for (const legal_hold of ['false', 'true']) {
          metrics.purgesDue.set({ region, legal_hold }, 0);
          metrics.purgesOverdue.set({ region, legal_hold }, 0);
        }
      }
      for (const row of rows) {
        const labels = { region: row.region, legal_hold: String(row.held) };
        metrics.purgesDue.set(labels, Number(row.due));
        metrics.purgesOverdue.set(labels, Number(row.overdue));
      }
      report('purges');
    } catch (error) {
      metrics.purgesDue.reset();
      metrics.purgesOverdue.reset();
      report('purges', error);
    }
  });

  // R-D3: row-level security lets the app count one tenant at a time, so the directory names the region's tenants
  // and the regional database's `count_overdue_privacy_requests` walks them in one round trip.
  metrics.scrapeSources.privacyRequests = shared(async () => {
    metrics.privacyRequestsOverdue.reset();
    const regions = REGIONS.filter((r) => platform.config.regions.includes(r));
    try {
      const { databases } = platform;
      if (!databases.all().every((d) => d.dataSource.isInitialized)) throw new Error('a database is not connected');
      const at = platform.clock.now();
      const counts = await withTimeout(
        (async () => {
          const tenants: { region: Region; ids: string[] }[] = await databases.global.query(
            `SELECT region, array_agg(id) AS ids FROM tenants
              WHERE purged_at IS NULL AND region = ANY($1) GROUP BY region`,
            [regions],
          );
          return Promise.all(
            regions.map(async (region) => {
              const ids = tenants.find((t) => t.region === region)?.ids ?? [];
              const [row]: { n: string }[] = await databases
                .forRegion(region)
                .query('SELECT count_overdue_privacy_requests($1::uuid[], $2) AS n', [ids, at]);
              return { region, n: Number(row.n) };
            }),
          );
        })(),
        'PostgreSQL (privacy requests)',
      );
      for (const { region, n } of counts) metrics.privacyRequestsOverdue.set({ region }, n);
      report('privacy_requests');
    } catch (error) {
      metrics.privacyRequestsOverdue.reset();
      report('privacy_requests', error);
    }
  });
}
