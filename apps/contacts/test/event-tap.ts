import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { MissiveConfig } from '@missive/config';
import { topicName, type EventEnvelope, type Region } from '@missive/contracts';
import { kafkaConnection } from '@missive/kafka';
import { waitFor } from '@missive/testing';

/**
 * Reads a region's contact topics with a group of its own and keeps the events of the given tenants, so a test can
 * assert what was published (R-X5) and that no address travelled (R-T2). It starts at the topics' ends as they are
 * when it starts (the tenants are the test's own, so nothing of theirs is older), not at the oldest retained event:
 * benchmarks leave topics of a million events that a tap would otherwise read through first.
 */
export class EventTap {
  readonly events: (EventEnvelope & { raw: string })[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly config: MissiveConfig,
    private readonly tenantIds: Set<string>,
  ) {}

  /** The topics' current ends, taken before the group joins so no later event is missed. */
  private async ends(kafka: Kafka, topics: string[]): Promise<{ topic: string; partition: number; offset: string }[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await Promise.all(
        topics.map(async (topic) =>
          (await admin.fetchTopicOffsets(topic)).map((p) => ({ topic, partition: p.partition, offset: p.high })),
        ),
      );
      return offsets.flat();
    } finally {
      await admin.disconnect();
    }
  }

  async start(region: Region, events: string[]): Promise<void> {
    const topics = events.map((e) => topicName(region, e));
    const kafka = new Kafka({
      clientId: 'test-tap',
      ...kafkaConnection(this.config, region),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `test-tap-${randomUUID()}` });
    this.consumer = consumer;
    const ends = await this.ends(kafka, topics);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const raw = message.value?.toString() ?? '';
        const envelope = JSON.parse(raw) as EventEnvelope;
        if (envelope.tenantId && this.tenantIds.has(envelope.tenantId)) this.events.push({ ...envelope, raw });
      },
    });
    for (const offset of ends) consumer.seek(offset);
  }

  /** Keeps the events of one more tenant from now on (a tenant a test creates after the tap started). */
  watch(tenantId: string): void {
    this.tenantIds.add(tenantId);
  }

  of(type: string, tenantId: string): (EventEnvelope & { raw: string })[] {
    return this.events.filter((e) => e.type === type && e.tenantId === tenantId);
  }

  async waitFor(
    type: string,
    tenantId: string,
    count = 1,
    timeoutMs = 20000,
  ): Promise<(EventEnvelope & { raw: string })[]> {
    await waitFor(() => this.of(type, tenantId).length >= count, { timeoutMs, what: `${count} ${type} event(s)` });
    return this.of(type, tenantId);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
