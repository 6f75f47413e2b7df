import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@missive/config';
import { topicName } from '@missive/contracts';
import { adminQuery, startTestServices, waitFor, type TestServices } from '@missive/testing';
import { createProbe, dropProbe } from './probe-service';

/**
 * Issue 24 (failure modes): a message no consumer can process — not JSON, an id that is not a UUID, no data — must
 * not hold up the events behind it in its partition, which are every tenant's. It is dropped and counted.
 */
describe('a poison message is dropped and counted; the events behind it are consumed', () => {
  const uid = randomUUID().slice(0, 8);
  let services: TestServices;
  let table: string;
  let consumer: string;

  beforeAll(async () => {
    const probe = await createProbe(uid);
    table = probe.table;
    consumer = probe.consumer;
    services = await startTestServices([probe.service]);
  }, 60000);

  afterAll(async () => {
    await services?.stop();
    await dropProbe(uid);
  });

  it('three malformed messages, then a good event on the same partition: the good one is consumed', async () => {
    const envelope = (fields: Record<string, unknown>) =>
      JSON.stringify({
        id: randomUUID(),
        type: 'platform.probe',
        version: 1,
        tenantId: null,
        region: 'NA',
        occurredAt: new Date().toISOString(),
        data: { run: uid, n: 0 },
        ...fields,
      });
    const good = randomUUID();
    const producer = new Kafka({
      clientId: `poison-${uid}`,
      brokers: loadConfig().kafka.brokers.NA,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    try {
      // One key: one partition, in this order.
      await producer.send({
        topic: topicName('NA', 'platform.probe'),
        messages: [
          { key: uid, value: 'not json {' },
          { key: uid, value: envelope({ id: 'not-a-uuid', data: { run: uid, n: 1 } }) },
          { key: uid, value: envelope({ data: null }) },
          { key: uid, value: envelope({ id: good, data: { run: uid, n: 2 } }) },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    await waitFor(
      async () => (await adminQuery('NA', `SELECT 1 FROM ${table} WHERE event_id = $1`, [good])).length === 1,
      { what: 'the good event behind the poison to be consumed', timeoutMs: 30000 },
    );
    const dropped = (await services.platform.metrics.kafkaEventsDropped.get()).values.find(
      (v) => v.labels.consumer === consumer && v.labels.reason === 'malformed',
    );
    expect(dropped?.value).toBe(3);
    expect(await adminQuery('NA', `SELECT n FROM ${table}`)).toEqual([{ n: 2 }]);
  }, 60000);
});
