import type { EntityManager } from 'typeorm';
import { queryRows } from '@missive/database';
import type { SkipReason } from './send-gate.rules';

/** A claimed message whose outcome is older than this was lost with its process: it becomes `unknown` (R-S6). */
export const STALE_CLAIM_SECONDS = 45;

/**
 * The delivery ledger (R-S6): one row per (campaign, contact), ever. Claim before sending, record after; a claim
 * that never got its record is `unknown` and is never sent again. Queries only; tenant transactions (R-T1).
 */
export class DeliveryLedger {
  /** The audience snapshot: every contact on the campaign's lists or tags, once (re-running it adds nothing). */
  async snapshot(
    m: EntityManager,
    tenantId: string,
    campaignId: string,
    audience: { lists?: string[]; tags?: string[] },
  ): Promise<number> {
    await m.query(
      `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state)
       SELECT tenant_id, $2, contact_id, 'pending' FROM campaign_contacts
       WHERE tenant_id = $1 AND (lists && $3::text[] OR tags && $4::text[])
       ON CONFLICT (campaign_id, contact_id) DO NOTHING`,
      [tenantId, campaignId, audience.lists ?? [], audience.tags ?? []],
    );
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM campaign_deliveries WHERE campaign_id = $1`, [
      campaignId,
    ]);
    return n;
  }

  async pendingContacts(m: EntityManager, campaignId: string): Promise<string[]> {
    const rows: { contact_id: string }[] = await m.query(
      `SELECT contact_id FROM campaign_deliveries WHERE campaign_id = $1 AND state = 'pending' ORDER BY contact_id`,
      [campaignId],
    );
    return rows.map((r) => r.contact_id);
  }

  /** Claims one message for sending; false when it was already claimed or decided (another worker, or before). */
  async claim(m: EntityManager, campaignId: string, contactId: string): Promise<boolean> {
    const rows = await queryRows(
      m,
      `UPDATE campaign_deliveries SET state = 'sending', attempts = attempts + 1, updated_at = now()
       WHERE campaign_id = $1 AND contact_id = $2 AND state = 'pending' RETURNING 1`,
      [campaignId, contactId],
    );
    return rows.length === 1;
  }

  async record(
    m: EntityManager,
    campaignId: string,
    contactId: string,
    outcome: { state: 'sent' | 'failed' | 'bounced' | 'pending'; reason?: string | null; messageId?: string | null },
  ): Promise<void> {
    await m.query(
      `UPDATE campaign_deliveries SET state = $3, reason = $4, message_id = coalesce($5, message_id), updated_at = now()
       WHERE campaign_id = $1 AND contact_id = $2 AND state = 'sending'`,
      [campaignId, contactId, outcome.state, outcome.reason ?? null, outcome.messageId ?? null],
    );
  }

  async skip(m: EntityManager, campaignId: string, contactId: string, reason: SkipReason): Promise<boolean> {
    const rows = await queryRows(
      m,
      `UPDATE campaign_deliveries SET state = 'skipped', reason = $3, updated_at = now()
       WHERE campaign_id = $1 AND contact_id = $2 AND state = 'pending' RETURNING 1`,
      [campaignId, contactId, reason],
    );
    return rows.length === 1;
  }

  /** Claims whose process died before recording an outcome: never resent, counted as unknown (R-S6). */
  async markStaleClaimsUnknown(m: EntityManager, campaignId: string): Promise<number> {
    const rows = await queryRows(
      m,
      `UPDATE campaign_deliveries SET state = 'unknown', reason = 'outcome lost in a crash', updated_at = now()
       WHERE campaign_id = $1 AND state = 'sending' AND updated_at < now() - make_interval(secs => $2) RETURNING 1`,
      [campaignId, STALE_CLAIM_SECONDS],
    );
    return rows.length;
  }

  async openCount(m: EntityManager, campaignId: string): Promise<number> {
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM campaign_deliveries WHERE campaign_id = $1 AND state IN ('pending', 'sending')`,
      [campaignId],
    );
    return n;
  }
}
