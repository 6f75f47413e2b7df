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

/** Up to this many events go in as a VALUES list; more as arrays (one statement either way). */
const VALUES_MAX_EVENTS = 100;

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
  const ids = envelopes.map((e) => e.id);
  const topics = events.map((e) => topicName(e.region, e.type));
  const keys = events.map((e) => e.key ?? e.tenantId ?? null);
  const payloads = envelopes.map((e) => JSON.stringify(e));
  if (events.length <= VALUES_MAX_EVENTS) {
    // A few events (one of the API, an import's batched ones): plain parameters, so big payloads are not
    // parsed again as array literals.
    await manager.query(
      `INSERT INTO outbox (event_id, topic, partition_key, payload) VALUES ${events
        .map((_, i) => `($${4 * i + 1}::uuid, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`)
        .join(', ')}`,
      events.flatMap((_, i) => [ids[i], topics[i], keys[i], payloads[i]]),
    );
    return envelopes;
  }
  await manager.query(
    `INSERT INTO outbox (event_id, topic, partition_key, payload)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
    [ids, topics, keys, payloads],
  );
  return envelopes;
}
