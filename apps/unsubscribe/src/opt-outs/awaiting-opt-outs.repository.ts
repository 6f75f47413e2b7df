import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OptOut } from '@missive/contact-domain';
import { UNSUBSCRIBE_RECORDED, type Region, type UnsubscribeRecordedV1 } from '@missive/contracts';
import { queryRows } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';

/**
 * Two-key advisory lock namespace (the second key is the tenant id's hash) of "the unsubscribe projection adds
 * contacts" (shared, each projection batch) against "an opt-out finds its contact unknown" (exclusive): whichever
 * commits first, the other sees it, so an opt-out is never left waiting for a contact that has already arrived.
 */
const ARRIVAL_LOCK_SPACE = 0x756e7362; // 'unsb'

/**
 * Opt-outs whose contact the unsubscribe service's projection has not seen yet (R-U2, R-U3): rows of
 * `unsubscribe_opt_outs` marked `awaiting_contact`, so they are stored, erased (R-D1), exported and purged (R-P6)
 * like any other. Their `unsubscribe.recorded` goes out when the contact arrives. Queries only, inside the caller's
 * tenant transaction (R-T1).
 */
@Injectable()
export class AwaitingOptOuts {
  /** Whether the projection holds the contact (it has seen a `contact.changed` for it, and no erasure since). */
  async contactKnown(m: EntityManager, tenantId: string, contactId: string): Promise<boolean> {
    const rows = await queryRows(m, 'SELECT 1 FROM unsubscribe_contacts WHERE tenant_id = $1 AND contact_id = $2', [
      tenantId,
      contactId,
    ]);
    return rows.length > 0;
  }

  /** Held by a projection batch from before it adds the tenant's contacts until it commits. */
  async lockArrivals(m: EntityManager, tenantId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [ARRIVAL_LOCK_SPACE, tenantId]);
  }

  /** Waits for the tenant's projection batches in flight to commit, and keeps new ones out until this commits. */
  async excludeArrivals(m: EntityManager, tenantId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ARRIVAL_LOCK_SPACE, tenantId]);
  }

  /**
   * Stores the opt-out as awaiting its contact. A second full opt-out while one is waiting changes nothing (as
   * `recordOptOut` does for a known contact). Returns whether a row was written.
   */
  async record(m: EntityManager, optOut: OptOut): Promise<boolean> {
    const { tenantId, contactId, campaignId, lists, source } = optOut;
    const rows = await queryRows(
      m,
      `INSERT INTO unsubscribe_opt_outs (tenant_id, contact_id, campaign_id, lists, source, awaiting_contact)
       SELECT $1, $2, $3, $4, $5, true
       WHERE NOT EXISTS (SELECT 1 FROM unsubscribe_opt_outs WHERE tenant_id = $1 AND contact_id = $2
         AND awaiting_contact AND lists IS NULL)
       RETURNING 1`,
      [tenantId, contactId, campaignId, lists, source],
    );
    return rows.length > 0;
  }

  /**
   * The contacts have just reached the projection (in the caller's transaction): their waiting opt-outs are no
   * longer waiting, and each one's `unsubscribe.recorded` goes into the outbox, oldest first, exactly as if it had
   * been recorded now (R-X5). Returns how many there were.
   */
  async release(m: EntityManager, region: Region, tenantId: string, contactIds: string[]): Promise<number> {
    if (contactIds.length === 0) return 0;
    const rows = await queryRows<Omit<UnsubscribeRecordedV1, 'source'> & { id: string; source: string }>(
      m,
      `UPDATE unsubscribe_opt_outs SET awaiting_contact = false
       WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[]) AND awaiting_contact
       RETURNING id, contact_id AS "contactId", campaign_id AS "campaignId", lists, source`,
      [tenantId, contactIds],
    );
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    await appendToOutbox(
      m,
      rows.map(({ contactId, campaignId, lists, source }) => {
        const data: UnsubscribeRecordedV1 = {
          contactId,
          campaignId,
          lists,
          source: source as UnsubscribeRecordedV1['source'],
        };
        return { type: UNSUBSCRIBE_RECORDED, region, tenantId, key: contactId, data };
      }),
    );
    return rows.length;
  }
}
