import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { createIdempotentProducer } from './kafka-clients';

/**
 * An idempotent producer that heals itself. kafkajs's idempotent producer can get stuck after a broker restart
 * (sequence-number errors, kafkajs#598): after any failed send this wrapper throws the producer away and builds a
 * new one (a new producer id) for the next attempt. Callers retry; consumers dedupe, so a resend is harmless.
 */
export class ResilientProducer {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;

  constructor(private readonly kafka: Kafka) {}

  private async current(): Promise<Producer> {
    if (this.producer) return this.producer;
    if (!this.connecting) {
      const producer = createIdempotentProducer(this.kafka);
      this.connecting = producer
        .connect()
        .then(() => {
          this.producer = producer;
          return producer;
        })
        .finally(() => {
          this.connecting = null;
        });
    }
    return this.connecting;
  }

  async sendBatch(topicMessages: TopicMessages[]): Promise<void> {
    const producer = await this.current();
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
    } catch (error) {
      await this.reset(producer);
      throw error;
    }
  }

  async send(topic: string, messages: Message[]): Promise<void> {
    await this.sendBatch([{ topic, messages }]);
  }

  private async reset(producer: Producer): Promise<void> {
    if (this.producer === producer) this.producer = null;
    await producer.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}
