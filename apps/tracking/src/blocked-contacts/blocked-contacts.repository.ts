import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { newestPerContact, type BlockChange } from './blocked-contacts.rules';

/**
 * The contacts whose hits are counted only anonymously (R-K4). Every method runs in the consumer's transaction
 * with `app.tenant_id` set (R-T1) and takes the tenant id explicitly.
 */
@Injectable()
export class BlockedContactsRepository {
  /** The ones among `contactIds` that are blocked. */
  async blockedAmong(manager: EntityManager, tenantId: string, contactIds: string[]): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const rows: { contact_id: string }[] = await manager.query(
      `SELECT contact_id FROM tracking_blocked_contacts WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])`,
      [tenantId, contactIds],
    );
    return new Set(rows.map((r) => r.contact_id));
  }

  /**
   * Blocks the contacts with each change's reason and time. An erasure is final: it is never downgraded to another
   * reason nor lifted; otherwise the newest decision's reason is kept.
   */
  async block(manager: EntityManager, tenantId: string, changes: BlockChange[]): Promise<void> {
    const blocks = newestPerContact(changes.filter((c) => c.effect !== 'unblock'));
    if (blocks.length === 0) return;
    await manager.query(
      `INSERT INTO tracking_blocked_contacts AS b (tenant_id, contact_id, reason, blocked_at)
       SELECT $1, c.id, c.reason, c.at FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) AS c(id, reason, at)
       ON CONFLICT (tenant_id, contact_id) DO UPDATE SET
         reason = CASE WHEN EXCLUDED.reason = 'erased' OR EXCLUDED.blocked_at >= b.blocked_at
           THEN EXCLUDED.reason ELSE b.reason END,
         blocked_at = GREATEST(b.blocked_at, EXCLUDED.blocked_at)
       WHERE b.reason <> 'erased'`,
      [tenantId, blocks.map((c) => c.contactId), blocks.map((c) => c.effect), blocks.map((c) => c.at.toISOString())],
    );
  }

  /**
   * Lifts the blocks of contacts that are active again, unless the block is newer than the news (an opt-out
   * recorded after the contact state the event carries) or an erasure.
   */
  async unblock(manager: EntityManager, tenantId: string, changes: BlockChange[]): Promise<void> {
    const lifts = newestPerContact(changes.filter((c) => c.effect === 'unblock'));
    if (lifts.length === 0) return;
    await manager.query(
      `DELETE FROM tracking_blocked_contacts b USING unnest($2::uuid[], $3::timestamptz[]) AS c(id, at)
       WHERE b.tenant_id = $1 AND b.contact_id = c.id AND b.reason <> 'erased' AND b.blocked_at < c.at`,
      [tenantId, lifts.map((c) => c.contactId), lifts.map((c) => c.at.toISOString())],
    );
  }

  /**
   * R-K4 / R-D1 erasure: what tracking holds on the person goes — their engagement rows, and the link from their
   * hits (which stay, anonymous, behind the campaign counts, R-P6).
   */
  async eraseLinkedData(manager: EntityManager, tenantId: string, contactIds: string[]): Promise<void> {
    if (contactIds.length === 0) return;
    await manager.query(
      `UPDATE tracking_hits SET contact_id = NULL, ip_truncated = NULL, user_agent = NULL
       WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])`,
      [tenantId, contactIds],
    );
    await manager.query(
      `DELETE FROM tracking_contact_engagement WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])`,
      [tenantId, contactIds],
    );
  }
}
