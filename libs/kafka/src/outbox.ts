import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { topicName, type EventEnvelope, type Region } from '@missive/contracts';

export interface OutgoingEvent<TData = unknown> {
  type: string;
  version?: number;
  region: Region;
  tenantId: string | null;
  /** Kafka key: events with the same key stay in order. Defaults to the tenant id. */
  key?: string;
  data: TData;
}

/**
 * Writes events into the outbox inside the caller's transaction (R-X5): the row change and its event commit or
 * roll back together; the relay publishes them afterwards. One statement for any number of events.
 */
export async function appendToOutbox(
  manager: EntityManager,
  events: readonly OutgoingEvent[],
): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const occurredAt = new Date().toISOString();
  const envelopes: EventEnvelope[] = events.map((e) => ({
    id: randomUUID(),
    type: e.type,
    version: e.version ?? 1,
    tenantId: e.tenantId,
    region: e.region,
    occurredAt,
    data: e.data,
  }));
  await manager.query(
    `INSERT INTO outbox (event_id, topic, partition_key, payload)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
    [
      envelopes.map((e) => e.id),
      events.map((e) => topicName(e.region, e.type)),
      events.map((e) => e.key ?? e.tenantId ?? null),
      envelopes.map((e) => JSON.stringify(e)),
    ],
  );
  return envelopes;
}
