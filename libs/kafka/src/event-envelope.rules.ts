import type { EventEnvelope } from '@missive/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a decoded message has the envelope every consumer relies on: a UUID id (the inbox casts it to uuid), a
 * UUID or null tenant (RLS casts it), a type, an integer version, an object `data`. A message without it can never
 * be processed, whatever the retries: handed to a consumer, it would fail its batch again and again and hold up
 * every later event of its partition, every tenant's (a poison message). It is dropped and counted instead.
 */
export function isEventEnvelope(value: unknown): value is EventEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    UUID.test(e.id) &&
    (e.tenantId === null || (typeof e.tenantId === 'string' && UUID.test(e.tenantId))) &&
    typeof e.type === 'string' &&
    Number.isInteger(e.version) &&
    typeof e.data === 'object' &&
    e.data !== null
  );
}
