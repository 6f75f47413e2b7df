import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@missive/config';
import { OutboxRelay, ResilientProducer } from '@missive/kafka';
import { createLogger, Metrics } from '@missive/observability';
import { adminQuery, createScratchDatabases, waitFor, type ScratchDatabases } from '@missive/testing';

/** A broker address where nothing listens: a relay whose producer can never deliver. */
const NOWHERE = ['127.0.0.1:1'];

/**
 * R-X5: one relay per database leads, the others stand by. A leader that cannot publish (its process lost its
 * brokers, or is half shut down) must give the lock up, or every event of the database waits for it forever.
 */
describe('R-X5: a relay that cannot publish steps down for a standby that can', () => {
  const uid = randomUUID().slice(0, 8);
  let scratch: ScratchDatabases;
  const relays: OutboxRelay[] = [];
  const producers: ResilientProducer[] = [];
  const logger = createLogger({ level: 'silent' });

  const relayTo = (brokers: string[], metrics: Metrics) => {
    const producer = new ResilientProducer(
      new Kafka({ clientId: `step-down-${uid}`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }),
    );
    producers.push(producer);
    const relay = new OutboxRelay({
      name: 'global-na',
      url: scratch.env.DATABASE_ADMIN_URL_GLOBAL,
      region: 'NA',
      producerFor: () => producer,
      logger,
      metrics,
      pollIntervalMs: 200,
    });
    relay.start();
    relays.push(relay);
  };
  const left = async () =>
    (
      await adminQuery<{ n: number }>(
        { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL },
        'SELECT count(*)::int AS n FROM outbox',
      )
    )[0].n;

  beforeAll(async () => {
    scratch = await createScratchDatabases(uid);
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all(producers.map((p) => p.close()));
    await scratch?.drop();
  });

  it('the broken leader fails, gives the lock up, and the standby relays the row', async () => {
    await adminQuery(
      { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL },
      `INSERT INTO outbox (event_id, topic, partition_key, payload) VALUES ($1, 'na.tenant.changed', $2, $3)`,
      [randomUUID(), uid, JSON.stringify({ run: uid })],
    );
    const brokenMetrics = new Metrics();
    relayTo(NOWHERE, brokenMetrics);
    await waitFor(
      async () =>
        ((await brokenMetrics.outboxRelayErrors.get()).values.find((v) => v.labels.database === 'global-na')?.value ??
          0) > 0,
      { timeoutMs: 15000, what: 'the broken relay to lead and fail' },
    );

    relayTo(loadConfig().kafka.brokers.NA, new Metrics());
    await waitFor(async () => (await left()) === 0, { timeoutMs: 20000, what: 'the standby to relay the row' });
  }, 60000);
});
