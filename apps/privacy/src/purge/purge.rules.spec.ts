import {
  certificateCounts,
  jobBelongsTo,
  nextWakeInMs,
  purgesTenantOf,
  queueOfMetaKey,
  storeName,
  storesNotDone,
} from './purge.rules';

describe('purge rules', () => {
  it('R-P4: store names carry kind, region and table, nothing personal', () => {
    expect(storeName('postgres', 'NA', 'contacts')).toBe('postgres.na.contacts');
    expect(storeName('redis', 'EEA')).toBe('redis.eea');
  });

  it('R-P4: the certificate adds up progress rows from both regions, per store', () => {
    expect(
      certificateCounts([
        { store: 'redis.na', deleted: 3, done: true },
        { store: 'postgres.na.contacts', deleted: 1000, done: true },
        { store: 'postgres.eea.contacts', deleted: 0, done: true },
      ]),
    ).toEqual({ 'postgres.eea.contacts': 0, 'postgres.na.contacts': 1000, 'redis.na': 3 });
  });

  it('R-P2: BullMQ queues are found by their meta keys, whatever the prefix', () => {
    expect(queueOfMetaKey('na:bull:test-1:campaign-send:meta')).toEqual({
      prefix: 'na:bull:test-1',
      name: 'campaign-send',
    });
    expect(queueOfMetaKey('na:contacts-import:meta')).toEqual({ prefix: 'na', name: 'contacts-import' });
    expect(queueOfMetaKey('na:t:abc:optouts')).toBeNull();
    expect(queueOfMetaKey('meta')).toBeNull();
  });

  it('R-P2: a job is the tenant’s when its data names the tenant', () => {
    expect(jobBelongsTo({ tenantId: 't1', campaignId: 'c' }, 't1')).toBe(true);
    expect(jobBelongsTo({ tenantId: 't2' }, 't1')).toBe(false);
    expect(jobBelongsTo(null, 't1')).toBe(false);
  });

  it('R-P3: the scheduler wakes at the next due purge, at the latest after one sweep interval', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(nextWakeInMs(null, now, 60000)).toBe(60000);
    expect(nextWakeInMs(new Date('2026-11-23T12:00:05Z'), now, 60000)).toBe(5000);
    expect(nextWakeInMs(new Date('2026-11-23T11:00:00Z'), now, 60000)).toBe(0);
    expect(nextWakeInMs(new Date('2026-12-23T11:00:00Z'), now, 60000)).toBe(60000);
  });

  it('R-P7: only a worker serving the tenant’s home region purges it', () => {
    expect(purgesTenantOf(['NA'], 'EEA')).toBe(false);
    expect(purgesTenantOf(['NA'], 'NA')).toBe(true);
    expect(purgesTenantOf(['NA', 'EEA'], 'EEA')).toBe(true);
  });

  it('R-P7: a certificate waits for every store of the region to report done', () => {
    const done = (store: string, isDone = true) => ({ store, deleted: 0, done: isDone });
    const all = [
      done('redis.eea'),
      done('bullmq.eea'),
      done('files.eea'),
      done('kafka-keys.eea'),
      done('postgres.eea.contacts'),
    ];
    expect(storesNotDone(all, 'EEA')).toEqual([]);
    expect(storesNotDone([], 'EEA')).toEqual([
      'redis.eea',
      'bullmq.eea',
      'files.eea',
      'kafka-keys.eea',
      'postgres.eea.*',
    ]);
    expect(storesNotDone([...all.slice(1), done('postgres.eea.hits', false)], 'EEA')).toEqual([
      'redis.eea',
      'postgres.eea.hits',
    ]);
    // Another region's rows never stand in for this one's.
    expect(storesNotDone(all, 'NA')).toHaveLength(5);
  });
});
