import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type BlockReason = 'erased' | 'unsubscribed' | 'restricted';
/** The reasons a contact's status (rather than an erasure) gives. */
export type StatusBlock = Exclude<BlockReason, 'erased'>;

/** Contact statuses (contacts service, R-S2) whose hits must store nothing linked to the person (R-K4). */
const BLOCKING_STATUSES: Record<string, StatusBlock | undefined> = {
  unsubscribed: 'unsubscribed',
  restricted: 'restricted',
};

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

  /** Blocks the contacts; an erasure is final and is never downgraded to another reason. */
  async block(manager: EntityManager, tenantId: string, contactIds: string[], reason: BlockReason): Promise<void> {
    if (contactIds.length === 0) return;
    await manager.query(
      `INSERT INTO tracking_blocked_contacts AS b (tenant_id, contact_id, reason)
       SELECT $1, id, $3 FROM unnest($2::uuid[]) AS id
       ON CONFLICT (tenant_id, contact_id) DO UPDATE SET reason = EXCLUDED.reason, blocked_at = now()
       WHERE b.reason <> 'erased'`,
      [tenantId, [...new Set(contactIds)], reason],
    );
  }

  /**
   * Lifts a restriction (the contact is active again). Opt-outs and erasures are not lifted here: an opt-out is
   * recorded by the unsubscribe service and may reach the contact's status later than this event, and staying
   * blocked only means anonymous counting.
   */
  async unblockRestricted(manager: EntityManager, tenantId: string, contactIds: string[]): Promise<void> {
    if (contactIds.length === 0) return;
    await manager.query(
      `DELETE FROM tracking_blocked_contacts
       WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[]) AND reason = 'restricted'`,
      [tenantId, contactIds],
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

  /**
   * The status of changed contacts, read in the region's database as `contact.changed` tells consumers to
   * (the event carries ids only): each id with the reason to block it, or null to unblock it. Ids that are not
   * there (yet) are left alone.
   */
  async statusesOf(
    manager: EntityManager,
    tenantId: string,
    contactIds: string[],
  ): Promise<Map<string, StatusBlock | null>> {
    const rows: { id: string; status: string }[] = await manager.query(
      `SELECT id, status FROM contacts WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, contactIds],
    );
    return new Map(rows.map((r) => [r.id, BLOCKING_STATUSES[r.status] ?? null]));
  }
}
