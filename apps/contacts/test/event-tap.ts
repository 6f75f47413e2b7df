import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { topicName, type EventEnvelope, type Region } from '@missive/contracts';
import { waitFor } from '@missive/testing';

/**
 * Reads a region's contact topics from the start with a group of its own and keeps the events of the given
 * tenants, so a test can assert what was published (R-X5) and that no address travelled (R-T2).
 */
export class EventTap {
  readonly events: (EventEnvelope & { raw: string })[] = [];
  private consumer: Consumer;

  constructor(
    brokers: string[],
    private readonly tenantIds: Set<string>,
  ) {
    this.consumer = new Kafka({ clientId: 'test-tap', brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: `test-tap-${randomUUID()}`,
    });
  }

  async start(region: Region, events: string[]): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: events.map((e) => topicName(region, e)), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const raw = message.value?.toString() ?? '';
        const envelope = JSON.parse(raw) as EventEnvelope;
        if (envelope.tenantId && this.tenantIds.has(envelope.tenantId)) this.events.push({ ...envelope, raw });
      },
    });
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
