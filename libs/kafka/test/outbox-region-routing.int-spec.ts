import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@missive/config';
import { type Region } from '@missive/contracts';
import { OutboxRelay, ResilientProducer } from '@missive/kafka';
import { createLogger, Metrics } from '@missive/observability';
import { adminQuery, createScratchDatabases, waitFor, type ScratchDatabases } from '@missive/testing';

/** A broker address where nothing listens: a region whose brokers this deployment cannot reach. */
const NOWHERE = ['127.0.0.1:1'];

/**
 * R-T2 for the global directory's outbox, which holds both regions' events (tenant lifecycle, key revocations):
 * in a per-region deployment each region's relay publishes only its own region's rows, to its own brokers. A
 * region whose brokers are unreachable from here must not hold up the other's events.
 */
describe('R-T2: the global outbox is relayed per region', () => {
  const uid = randomUUID().slice(0, 8);
  let scratch: ScratchDatabases;
  const relays: OutboxRelay[] = [];
  const producers: ResilientProducer[] = [];
  const logger = createLogger({ level: 'silent' });
  const brokers = loadConfig().kafka.brokers.NA;

  const producerTo = (list: string[]) => {
    const producer = new ResilientProducer(
      new Kafka({ clientId: `routing-${uid}`, brokers: list, logLevel: logLevel.NOTHING, retry: { retries: 0 } }),
    );
    producers.push(producer);
    return producer;
  };
  const relay = (region: Region, reachable: Region[]) => {
    const byRegion = { NA: producerTo(reachable.includes('NA') ? brokers : NOWHERE), EEA: producerTo(NOWHERE) };
    if (reachable.includes('EEA')) byRegion.EEA = producerTo(brokers);
    const started = new OutboxRelay({
      name: `global-${region.toLowerCase()}`,
      url: scratch.env.DATABASE_ADMIN_URL_GLOBAL,
      region,
      producerFor: (r) => byRegion[r],
      logger,
      metrics: new Metrics(),
      pollIntervalMs: 200,
    });
    started.start();
    relays.push(started);
  };
  const left = async () =>
    (
      await adminQuery<{ topic: string }>(
        { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL },
        'SELECT topic FROM outbox ORDER BY id',
      )
    ).map((r) => r.topic);

  beforeAll(async () => {
    scratch = await createScratchDatabases(uid);
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all(producers.map((p) => p.close()));
    await scratch?.drop();
  });

  it('an NA relay publishes NA rows past EEA rows it cannot reach; the EEA relay publishes those', async () => {
    const row = (topic: string, n: number) =>
      adminQuery(
        { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL },
        `INSERT INTO outbox (event_id, topic, partition_key, payload) VALUES ($1, $2, $3, $4)`,
        [randomUUID(), topic, uid, JSON.stringify({ run: uid, n })],
      );
    // The EEA row comes first: a relay that took every row would stall on it.
    await row('eea.tenant.changed', 1);
    await row('na.tenant.changed', 2);

    relay('NA', ['NA']);
    await waitFor(async () => !(await left()).includes('na.tenant.changed'), {
      timeoutMs: 15000,
      what: 'the NA row to be relayed',
    });
    expect(await left()).toEqual(['eea.tenant.changed']);

    relay('EEA', ['EEA']);
    await waitFor(async () => (await left()).length === 0, { timeoutMs: 15000, what: 'the EEA row to be relayed' });
  });
});
