import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { configWith } from '@missive/config';
import { ManualClock, Platform } from '@missive/platform';
import { adminQuery, closeAdminPools, waitFor } from '@missive/testing';
import { queuePrefix, SEND_QUEUE } from '../../apps/campaigns/src/sending/send-queue';

/**
 * The store-derived gauges of libs/platform/src/store-metrics.ts against the real PostgreSQL and Redis: they are
 * read when /metrics is scraped, count what the stores hold, and a store that is gone makes the scrape report it
 * (missive_store_metrics_up 0) instead of hanging.
 */

async function value(platform: Platform, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = platform.metrics.registry.getSingleMetric(name)!;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
}

describe('store-derived metrics (scrape time)', () => {
  const namespace = `obs-${randomUUID().slice(0, 8)}`;
  // A clock in the past, so that only the tenant made here is due at that time.
  const now = new Date('2001-01-01T00:00:00Z');
  const tenantId = randomUUID();
  // An active NA tenant with one referred request (R-D3) already due at the clock's time.
  const naTenantId = randomUUID();
  const requestId = randomUUID();
  let platform: Platform;
  let queue: Queue | null = null;
  let stopped = false;

  async function dropQueue(): Promise<void> {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    queue = null;
  }

  beforeAll(async () => {
    platform = new Platform({
      config: configWith({ REGIONS: 'NA,EEA', QUEUE_NAMESPACE: namespace }),
      relays: false,
      clock: new ManualClock(now),
    });
    await platform.databases.connect();
    await platform.redis.connect();
    await adminQuery(
      'global',
      `INSERT INTO tenants (id, name, region, status, terminated_at, purge_due_at)
       VALUES ($1, 'store-metrics probe', 'EEA', 'terminated', $2, $3)`,
      [tenantId, new Date(now.getTime() - 15 * 86400_000), new Date(now.getTime() - 2 * 3600_000)],
    );
    await adminQuery(
      'global',
      `INSERT INTO tenants (id, name, region, status) VALUES ($1, 'overdue probe', 'NA', 'active')`,
      [naTenantId],
    );
    await adminQuery(
      'NA',
      `INSERT INTO privacy_requests (id, tenant_id, type, status, source, received_at, due_at)
       VALUES ($1, $2, 'erasure', 'pending', 'support', $3, $4)`,
      [requestId, naTenantId, new Date(now.getTime() - 46 * 86400_000), new Date(now.getTime() - 86400_000)],
    );
    queue = new Queue(SEND_QUEUE, {
      connection: platform.redis.forRegion('EEA'),
      prefix: queuePrefix('EEA', namespace),
    });
    await queue.add('probe', { kind: 'start', tenantId, campaignId: randomUUID() });
    await queue.add('probe', { kind: 'start', tenantId, campaignId: randomUUID() }, { delay: 3600_000 });
  });

  afterAll(async () => {
    await dropQueue();
    await adminQuery('global', 'DELETE FROM tenants WHERE id = ANY($1)', [[tenantId, naTenantId]]);
    await adminQuery('NA', 'DELETE FROM privacy_requests WHERE tenant_id = $1', [naTenantId]);
    await closeAdminPools();
    if (!stopped) await platform.stop();
  });

  it('counts queued jobs per queue and state, and purges due and overdue, when /metrics is scraped', async () => {
    const text = await platform.metrics.registry.metrics();
    expect(text).toContain('missive_bullmq_queue_jobs{');
    expect(
      await value(platform, 'missive_bullmq_queue_jobs', { region: 'EEA', queue: SEND_QUEUE, state: 'waiting' }),
    ).toBe(1);
    expect(
      await value(platform, 'missive_bullmq_queue_jobs', { region: 'EEA', queue: SEND_QUEUE, state: 'delayed' }),
    ).toBe(1);
    expect(
      await value(platform, 'missive_bullmq_queue_jobs', { region: 'NA', queue: SEND_QUEUE, state: 'failed' }),
    ).toBe(0);
    expect(await value(platform, 'missive_tenant_purges_due', { region: 'EEA', legal_hold: 'false' })).toBe(1);
    expect(await value(platform, 'missive_tenant_purges_overdue', { region: 'EEA', legal_hold: 'false' })).toBe(1);
    expect(await value(platform, 'missive_tenant_purges_due', { region: 'NA', legal_hold: 'false' })).toBe(0);
    expect(await value(platform, 'missive_store_metrics_up', { source: 'bullmq' })).toBe(1);
    expect(await value(platform, 'missive_store_metrics_up', { source: 'purges' })).toBe(1);
  });

  it('separates purges waiting on a legal hold, and stops counting a purged tenant', async () => {
    await adminQuery('global', `UPDATE tenants SET legal_hold_reason = 'probe' WHERE id = $1`, [tenantId]);
    expect(await value(platform, 'missive_tenant_purges_overdue', { region: 'EEA', legal_hold: 'false' })).toBe(0);
    expect(await value(platform, 'missive_tenant_purges_overdue', { region: 'EEA', legal_hold: 'true' })).toBe(1);
    await adminQuery('global', `UPDATE tenants SET purged_at = $2, status = 'purged' WHERE id = $1`, [tenantId, now]);
    expect(await value(platform, 'missive_tenant_purges_due', { region: 'EEA', legal_hold: 'true' })).toBe(0);
  });

  it('R-D3: counts data-subject requests pending past their due date, per region, until they are closed', async () => {
    expect(await value(platform, 'missive_privacy_requests_overdue', { region: 'NA' })).toBe(1);
    expect(await value(platform, 'missive_privacy_requests_overdue', { region: 'EEA' })).toBe(0);
    expect(await value(platform, 'missive_store_metrics_up', { source: 'privacy_requests' })).toBe(1);
    await adminQuery('NA', `UPDATE privacy_requests SET status = 'completed', completed_at = $2 WHERE id = $1`, [
      requestId,
      now,
    ]);
    expect(await value(platform, 'missive_privacy_requests_overdue', { region: 'NA' })).toBe(0);
  });

  it('reports a store that is gone instead of hanging the scrape', async () => {
    await dropQueue();
    await platform.stop();
    stopped = true;
    await waitFor(async () => platform.redis.distinct().every((r) => r.status === 'end'));
    const started = Date.now();
    await platform.metrics.registry.metrics();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await value(platform, 'missive_store_metrics_up', { source: 'bullmq' })).toBe(0);
    expect(await value(platform, 'missive_store_metrics_up', { source: 'purges' })).toBe(0);
    expect(await value(platform, 'missive_store_metrics_up', { source: 'privacy_requests' })).toBe(0);
    expect(await value(platform, 'missive_privacy_requests_overdue', { region: 'NA' })).toBeUndefined();
    expect(await value(platform, 'missive_tenant_purges_due', { region: 'EEA', legal_hold: 'false' })).toBeUndefined();
  });
});
