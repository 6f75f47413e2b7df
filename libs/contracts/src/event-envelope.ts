import type { Region } from './region';

/**
 * Every event on Kafka is wrapped in this envelope. It carries ids, never email addresses (R-T2, R-P2):
 * a personal field that must travel is encrypted with the tenant's key before it is put in `data`.
 */
export interface EventEnvelope<TData = unknown> {
  /** Unique per event; consumers dedupe on it (R-X5). */
  id: string;
  /** `<domain>.<event>`, e.g. `contact.upserted`. */
  type: string;
  /** Schema version of `data` (ContactUpsertedV1 → 1). */
  version: number;
  tenantId: string | null;
  region: Region;
  occurredAt: string;
  data: TData;
}
