import type { EntityManager } from 'typeorm';
import type Redis from 'ioredis';
import { UNSUBSCRIBE_RECORDED, type Region, type UnsubscribeRecordedV1 } from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
import { optOutSetKey } from '@missive/redis';

/** One opt-out as the unsubscribe service and an objection (R-D1) record it. */
export interface OptOut {
  tenantId: string;
  region: Region;
  contactId: string;
  campaignId: string | null;
  /** null: everything; otherwise the lists left (R-U4). */
  lists: string[] | null;
  source: UnsubscribeRecordedV1['source'];
}

/**
 * R-U2, R-D1: writes the opt-out row and its `unsubscribe.recorded` event in the caller's tenant transaction
 * (R-X5); the event then updates every projection (contact status, suppression list, send gates). A second full
 * opt-out of the same contact changes nothing, unless the person resubscribed in between (R-U4: a resubscribe
 * records a new consent grant in the contact's history, so an opt-out older than the latest grant is spent).
 * Returns whether a row was written.
 */
export async function recordOptOut(m: EntityManager, optOut: OptOut): Promise<boolean> {
  const { tenantId, region, contactId, campaignId, lists, source } = optOut;
  if (lists === null) {
    const existing: unknown[] = await m.query(
      `SELECT 1 FROM unsubscribe_opt_outs o WHERE o.tenant_id = $1 AND o.contact_id = $2 AND o.lists IS NULL
         AND o.created_at > coalesce((SELECT max(h.recorded_at) FROM consents h
           WHERE h.tenant_id = $1 AND h.contact_id = $2 AND h.kind = 'grant'), '-infinity')
       LIMIT 1`,
      [tenantId, contactId],
    );
    if (existing.length > 0) return false;
  }
  await m.query(
    'INSERT INTO unsubscribe_opt_outs (tenant_id, contact_id, campaign_id, lists, source) VALUES ($1, $2, $3, $4, $5)',
    [tenantId, contactId, campaignId, lists, source],
  );
  const data: UnsubscribeRecordedV1 = { contactId, campaignId, lists, source };
  await appendToOutbox(m, [{ type: UNSUBSCRIBE_RECORDED, region, tenantId, key: contactId, data }]);
  return true;
}

/**
 * R-U2: puts a full opt-out in the region's opt-out set that every send gate reads. Called after the row
 * committed and before the caller answers, so no message is claimed for the contact from then on.
 */
export async function markOptedOut(redis: Redis, region: Region, tenantId: string, contactId: string): Promise<void> {
  await redis.sadd(optOutSetKey(region, tenantId), contactId);
}
