import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { topicName, type EventEnvelope, type Region } from '@missive/contracts';
import { waitFor } from '@missive/testing';

/**
 * Reads a region's contact topics with a group of its own and keeps the events of the given tenants, so a test can
 * assert what was published (R-X5) and that no address travelled (R-T2). It starts at the topics' ends as they are
 * when it starts (the tenants are the test's own, so nothing of theirs is older), not at the oldest retained event:
 * benchmarks leave topics of a million events that a tap would otherwise read through first.
 */
export class EventTap {
  readonly events: (EventEnvelope & { raw: string })[] = [];
  private readonly kafka: Kafka;
  private consumer: Consumer;

  constructor(
    brokers: string[],
    private readonly tenantIds: Set<string>,
  ) {
    this.kafka = new Kafka({ clientId: 'test-tap', brokers, logLevel: logLevel.NOTHING });
    this.consumer = this.kafka.consumer({ groupId: `test-tap-${randomUUID()}` });
  }

  /** The topics' current ends, taken before the group joins so no later event is missed. */
  private async ends(topics: string[]): Promise<{ topic: string; partition: number; offset: string }[]> {
    const admin = this.kafka.admin();
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
    const ends = await this.ends(topics);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const raw = message.value?.toString() ?? '';
        const envelope = JSON.parse(raw) as EventEnvelope;
        if (envelope.tenantId && this.tenantIds.has(envelope.tenantId)) this.events.push({ ...envelope, raw });
      },
    });
    for (const offset of ends) this.consumer.seek(offset);
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
    await this.consumer.disconnect();
  }
}
