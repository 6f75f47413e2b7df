import { EventPattern } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, Region } from '@missive/contracts';

export interface ConsumeOptions {
  /**
   * true (default): the handler's effect and the event ids are committed in one transaction of the region's
   * database, so a redelivered event has no second effect (R-X5). false: the handler gets no transaction and must
   * be idempotent on its own (cache invalidation, Redis sets).
   */
  inbox?: boolean;
  /** Every instance receives every event (its own consumer group), e.g. to refresh an in-memory cache. */
  broadcast?: boolean;
  /** A new consumer group starts at the oldest retained event (default) or only at new ones. */
  fromBeginning?: boolean;
  /**
   * For high-volume events where some lag is fine: the broker holds a fetch until it has 1 MB of a partition or
   * this many milliseconds passed, and the handler gets the whole fetch in one call (up to 5,000 events, not 500),
   * so the consumer gets fewer, larger batches (fewer fetches and offset commits for the broker, fewer
   * transactions for the database) instead of a fetch per produce request. Default: answer as soon as there is data.
   */
  batchWaitMs?: number;
}

/** What a consumer handler receives: the fresh (not yet processed) events of one batch, in partition order. */
export interface EventBatch<TData = unknown> {
  region: Region;
  events: EventEnvelope<TData>[];
  /** The inbox transaction; present unless the consumer opted out with `inbox: false`. */
  manager?: EntityManager;
}

export const PATTERN_SEPARATOR = '::';

/**
 * Marks a controller method as the handler of one event type for one logical consumer (its Kafka consumer
 * group and inbox name), e.g. `@ConsumeEvents('campaigns', 'contact.changed')`. The method receives an
 * EventBatch. A consumer subscribes to the event's topic in every region the instance serves.
 */
export function ConsumeEvents(consumer: string, eventType: string, options: ConsumeOptions = {}): MethodDecorator {
  return EventPattern(`${consumer}${PATTERN_SEPARATOR}${eventType}`, { ...options });
}
