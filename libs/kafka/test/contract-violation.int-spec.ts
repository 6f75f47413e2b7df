import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@missive/config';
import { IMPORT_FINISHED, topicName, type ImportFinishedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { adminQuery, startTestServices, waitFor, type TestServices } from '@missive/testing';

/**
 * Issue 24 (contracts validated at the consumer): an event with a valid envelope whose `data` breaks its schema —
 * a producer's bug or a forged message — must not reach the handler. This consumer writes `import.finished` the way
 * real ones write their events, into typed columns: an import id that is not a UUID or a missing status fails its
 * statement, so without the check the batch fails on every retry and the valid event behind it, some other tenant's
 * perhaps, never arrives.
 */
describe('R-X5, R-X6: an event whose data breaks its contract is dropped and counted; the next one is consumed', () => {
  const uid = randomUUID().slice(0, 8);
  const table = `contract_probe_${uid}`;
  const consumer = `contract_probe_${uid}`;
  const tenantId = randomUUID();
  let services: TestServices;

  @Controller()
  class ImportFinishedProbe {
    @ConsumeEvents(consumer, IMPORT_FINISHED)
    async handle(batch: EventBatch<ImportFinishedV1>): Promise<void> {
      // The topic is shared with every other test run: only this run's tenant counts.
      const events = batch.events.filter((e) => e.tenantId === tenantId);
      if (events.length === 0) return;
      await batch.manager!.query(
        `INSERT INTO ${table} (event_id, import_id, status)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])`,
        [events.map((e) => e.id), events.map((e) => e.data.importId), events.map((e) => e.data.status)],
      );
    }
  }

  @Module({ controllers: [ImportFinishedProbe] })
  class ProbeModule {}

  beforeAll(async () => {
    await adminQuery(
      'NA',
      `CREATE TABLE ${table} (event_id uuid PRIMARY KEY, import_id uuid NOT NULL, status text NOT NULL)`,
    );
    await adminQuery('NA', `GRANT SELECT, INSERT ON ${table} TO missive_app`);
    services = await startTestServices([{ name: 'contract-probe', publicModules: [ProbeModule] }]);
  }, 60000);

  afterAll(async () => {
    await services?.stop();
    await adminQuery('NA', `DROP TABLE IF EXISTS ${table}`);
  });

  it('a non-UUID import id and a missing status, then a valid event on the same partition', async () => {
    const envelope = (id: string, data: Record<string, unknown>) =>
      JSON.stringify({
        id,
        type: IMPORT_FINISHED,
        version: 1,
        tenantId,
        region: 'NA',
        occurredAt: new Date().toISOString(),
        data,
      });
    const importId = randomUUID();
    const good = randomUUID();
    const producer = new Kafka({
      clientId: `contract-${uid}`,
      brokers: loadConfig().kafka.brokers.NA,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    try {
      // One key: one partition, in this order.
      await producer.send({
        topic: topicName('NA', IMPORT_FINISHED),
        messages: [
          { key: importId, value: envelope(randomUUID(), { importId: 'not-a-uuid', status: 'done' }) },
          { key: importId, value: envelope(randomUUID(), { importId }) },
          // A field this version does not name is allowed (a newer producer): the event is consumed.
          { key: importId, value: envelope(good, { importId, status: 'failed', reason: 'added later' }) },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    await waitFor(
      async () => (await adminQuery('NA', `SELECT 1 FROM ${table} WHERE event_id = $1`, [good])).length === 1,
      { what: 'the valid event behind the two that break the contract to be consumed', timeoutMs: 30000 },
    );
    const dropped = (await services.platform.metrics.kafkaEventsDropped.get()).values.find(
      (v) => v.labels.consumer === consumer && v.labels.reason === 'contract',
    );
    expect(dropped?.value).toBe(2);
    expect(await adminQuery('NA', `SELECT event_id, import_id, status FROM ${table}`)).toEqual([
      { event_id: good, import_id: importId, status: 'failed' },
    ]);
  }, 60000);
});
