import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { topicName } from '@missive/contracts';
import { appendToOutbox, kafkaConnection } from '@missive/kafka';
import { adminQuery, startTestServices, waitFor, type TestServices } from '@missive/testing';
import { createProbe, dropProbe } from './probe-service';

describe('R-X5: transactional outbox → Kafka → idempotent consumer (real broker)', () => {
  const uid = randomUUID().slice(0, 8);
  let services: TestServices;
  let table: string;

  beforeAll(async () => {
    const probe = await createProbe(uid);
    table = probe.table;
    services = await startTestServices([probe.service]);
  });

  afterAll(async () => {
    await services?.stop();
    await dropProbe(uid);
  });

  const effects = (n: number) => adminQuery<{ count: number }>('NA', `SELECT count FROM ${table} WHERE n = $1`, [n]);

  it('R-X5: a committed row and its event travel together; a rolled-back one sends nothing', async () => {
    const db = services.platform.databases.forRegion('NA');
    await expect(
      db.transaction(async (m) => {
        await m.query(`INSERT INTO probe_rows_${uid} (n) VALUES (1)`);
        await appendToOutbox(m, [
          { type: 'platform.probe', region: 'NA', tenantId: null, key: uid, data: { run: uid, n: 1 } },
        ]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await db.transaction(async (m) => {
      await m.query(`INSERT INTO probe_rows_${uid} (n) VALUES (2)`);
      await appendToOutbox(m, [
        { type: 'platform.probe', region: 'NA', tenantId: null, key: uid, data: { run: uid, n: 2 } },
      ]);
    });

    await waitFor(async () => (await effects(2)).length === 1, { what: 'event 2 to be consumed' });
    // Same key, same partition: event 2 was consumed, so event 1 would have been before it had it been sent.
    expect(await effects(1)).toEqual([]);
    expect(await adminQuery('NA', `SELECT n FROM probe_rows_${uid}`)).toEqual([{ n: 2 }]);
    // The relay deletes a row once the broker acknowledged it (possibly just after the consumer saw it).
    await waitFor(
      async () =>
        (
          await adminQuery<{ c: number }>('NA', `SELECT count(*)::int AS c FROM outbox WHERE partition_key = $1`, [uid])
        )[0].c === 0,
      { what: 'the relayed row to leave the outbox' },
    );
  });

  it('R-X5: the relay sends a payload to Kafka byte for byte (multi-byte characters, escapes), with its key and event id', async () => {
    const text = 'Zoë Ørsted 🎉 \t "quoted" \\ back\\slash \u0000';
    const db = services.platform.databases.forRegion('NA');
    await db.transaction((m) =>
      appendToOutbox(m, [
        { type: 'platform.probe', region: 'NA', tenantId: null, key: uid, data: { run: uid, n: 5, text } },
      ]),
    );
    const kafka = new Kafka({
      clientId: 'test',
      ...kafkaConnection(services.config, 'NA'),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `outbox-bytes-${uid}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('NA', 'platform.probe'), fromBeginning: true });
    const received = new Promise<{ key: string; eventId: string; value: Buffer }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value!;
          // The topic holds other tests' messages too, malformed ones included (poison-message.int-spec).
          if (!value.includes(uid)) return;
          const envelope = JSON.parse(value.toString('utf8')) as { data?: { run?: string; n?: number } };
          if (envelope.data?.run !== uid || envelope.data.n !== 5) return;
          resolve({ key: message.key!.toString(), eventId: message.headers!['event-id']!.toString(), value });
        },
      });
    });
    try {
      const { key, eventId, value } = await received;
      const envelope = JSON.parse(value.toString('utf8')) as { id: string; data: { text: string } };
      expect(envelope.data.text).toBe(text);
      expect(key).toBe(uid);
      expect(eventId).toBe(envelope.id);
      // What PostgreSQL held is what Kafka got: the same UTF-8 bytes as the serialised envelope.
      expect(value.equals(Buffer.from(JSON.stringify(envelope), 'utf8'))).toBe(true);
    } finally {
      await consumer.disconnect();
    }
  });

  it('R-X5: an event delivered twice has exactly one effect', async () => {
    const envelope = {
      id: randomUUID(),
      type: 'platform.probe',
      version: 1,
      tenantId: null,
      region: 'NA',
      occurredAt: new Date().toISOString(),
      data: { run: uid, n: 3 },
    };
    const producer = new Kafka({
      clientId: 'test',
      ...kafkaConnection(services.config, 'NA'),
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    const message = { key: uid, value: JSON.stringify(envelope) };
    await producer.send({ topic: topicName('NA', 'platform.probe'), messages: [message, message] });
    await producer.send({ topic: topicName('NA', 'platform.probe'), messages: [message] });
    const marker = { ...envelope, id: randomUUID(), data: { run: uid, n: 4 } };
    await producer.send({
      topic: topicName('NA', 'platform.probe'),
      messages: [{ key: uid, value: JSON.stringify(marker) }],
    });
    await producer.disconnect();

    await waitFor(async () => (await effects(4)).length === 1, { what: 'the marker event' });
    expect(await effects(3)).toEqual([{ count: 1 }]);
  });
});
