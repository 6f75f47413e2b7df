import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { configWith } from '@missive/config';
import { topicName } from '@missive/contracts';
import { Databases } from '@missive/database';
import {
  appendToOutbox,
  createIdempotentProducer,
  kafkaConnection,
  OutboxRelay,
  ResilientProducer,
} from '@missive/kafka';
import { createLogger, Metrics } from '@missive/observability';
import { createScratchDatabases } from '@missive/testing';
import type { BenchRow } from './bench-report';

const EVENTS = 50000;
const BATCH = 2000;

/**
 * Outbox relay throughput against a raw kafkajs producer sending the same events, same broker, same run (issue 3).
 * The relay drains a pre-filled outbox (select → send → delete, in id order, acks=all, idempotent); the raw producer
 * sends the identical envelopes in the same batch size with the same producer settings.
 */
export async function runOutboxRelayBench(): Promise<BenchRow[]> {
  const uid = randomUUID().slice(0, 8);
  const scratch = await createScratchDatabases(`bench${uid}`);
  const config = configWith({ ...scratch.env, LOG_LEVEL: 'error' });
  const logger = createLogger({ level: 'error' });
  const databases = new Databases(config, { global: [], regional: [] });
  await databases.connect();
  const kafka = new Kafka({ clientId: 'bench', ...kafkaConnection(config, 'NA'), logLevel: logLevel.NOTHING });
  const topic = topicName('NA', 'platform.probe');
  try {
    // Fill the outbox with EVENTS events (not timed), in the shape services write them.
    const events = Array.from({ length: EVENTS }, (_, n) => ({
      type: 'platform.probe',
      region: 'NA' as const,
      tenantId: randomUUID(),
      data: { run: `bench-${uid}`, n, contactId: randomUUID(), campaignId: randomUUID(), reason: 'bench' },
    }));
    const fillStart = process.hrtime.bigint();
    const envelopes = [];
    for (let i = 0; i < EVENTS; i += BATCH) {
      envelopes.push(
        ...(await databases.forRegion('NA').transaction((m) => appendToOutbox(m, events.slice(i, i + BATCH)))),
      );
    }
    const fillSeconds = Number(process.hrtime.bigint() - fillStart) / 1e9;

    // Raw producer: the same envelopes, same batch size, same producer settings.
    const raw = createIdempotentProducer(kafka);
    await raw.connect();
    const rawStart = process.hrtime.bigint();
    for (let i = 0; i < EVENTS; i += BATCH) {
      const messages = envelopes
        .slice(i, i + BATCH)
        .map((e) => ({ key: e.tenantId, value: JSON.stringify(e), headers: { 'event-id': e.id } }));
      await raw.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
    }
    const rawSeconds = Number(process.hrtime.bigint() - rawStart) / 1e9;
    await raw.disconnect();

    // Relay: drain the pre-filled outbox.
    const producer = new ResilientProducer(kafka);
    const relay = new OutboxRelay({
      name: 'bench',
      url: config.databases.regional.NA,
      producerFor: () => producer,
      logger,
      metrics: new Metrics(),
      batchSize: BATCH,
    });
    const relayStart = process.hrtime.bigint();
    relay.start();
    for (;;) {
      const [{ c }] = await databases.forRegion('NA').query(`SELECT count(*)::int AS c FROM outbox`);
      if (c === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const relaySeconds = Number(process.hrtime.bigint() - relayStart) / 1e9;
    await relay.stop();
    await producer.close();

    const rawRate = EVENTS / rawSeconds;
    const relayRate = EVENTS / relaySeconds;
    return [
      {
        metric: 'raw kafkajs producer',
        value: Math.round(rawRate),
        unit: 'events/s',
        note: `${EVENTS} events, batches of ${BATCH}, acks=all, idempotent`,
      },
      {
        metric: 'outbox relay (drain)',
        value: Math.round(relayRate),
        unit: 'events/s',
        note: 'select → send → delete, one leader',
      },
      { metric: 'relay / raw', value: Number((relayRate / rawRate).toFixed(2)), unit: '×', note: 'goal ≥ 0.7' },
      {
        metric: 'outbox write (in transactions)',
        value: Math.round(EVENTS / fillSeconds),
        unit: 'events/s',
        note: `${BATCH} per transaction`,
      },
    ];
  } finally {
    await databases.close();
    await scratch.drop();
  }
}
