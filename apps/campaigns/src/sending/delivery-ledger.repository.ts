import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@missive/database';
import type { AudienceSpec } from '../audience/audience-filter.rules';
import { AudienceRepository } from '../audience/audience.repository';
import type { RecipientRow } from './gate-state.repository';

/**
 * A claimed message whose outcome is older than this was lost with its process: it becomes `unknown` (R-S6). Live
 * processes refresh their claims every few seconds (ClaimHeartbeat), so this only has to outlast a missed beat or two.
 */
export const STALE_CLAIM_SECONDS = 15;

/** The end of one message, written back to its claimed ledger row. `pending` hands it back for a later retry. */
export interface DeliveryOutcome {
  campaignId: string;
  contactId: string;
  state: 'sent' | 'skipped' | 'failed' | 'bounced' | 'unknown' | 'pending';
  reason: string | null;
  messageId: string | null;
  /**
   * Handed back without trying the recipient (held for its domain, the campaign paused, the gate unread): the claim
   * does not count as one of its tries (R-S5's soft bounce after TRANSIENT_TRIES).
   */
  notTried?: boolean;
  /** A bounce the relay gave for this recipient, published as `delivery.recorded` with the record (R-S8). */
  delivery?: { outcome: 'hard-bounce' | 'soft-bounce'; status: string | null };
}

/** A claimed row with the recipient's projection as read in the claiming statement (null: erased). */
export interface ClaimedRecipient {
  contactId: string;
  /** Claims of this message so far, this one included: a 4xx on the last allowed try is a soft bounce (R-S5). */
  attempts: number;
  recipient: RecipientRow | null;
}

/**
 * The delivery ledger (R-S6): one row per (campaign, contact), ever. Claim before sending, record after; a claim
 * that never got its record is `unknown` and is never sent again. Queries only; tenant transactions (R-T1).
 */
@Injectable()
export class DeliveryLedgerRepository {
  constructor(private readonly audiences: AudienceRepository) {}

  /**
   * The audience snapshot: every contact on the campaign's lists or tags that its filter matches (R-C9), once
   * (re-running it adds nothing); the same query POST /v1/audiences/preview counts.
   */
  async snapshot(m: EntityManager, tenantId: string, campaignId: string, audience: AudienceSpec): Promise<number> {
    await this.audiences.snapshotInto(m, tenantId, campaignId, audience);
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

  /**
   * Claims a group of messages in one statement — only rows still pending, and only while the campaign is sending
   * (pause and cancel bite at the next group, R-S1), so a message another worker (or an earlier run) claimed or
   * decided is left out — and returns, from the same snapshot, each claimed recipient's current projection row for
   * the send gate. Null when the campaign is no longer sending.
   */
  async claim(
    m: EntityManager,
    tenantId: string,
    campaignId: string,
    contactIds: string[],
  ): Promise<ClaimedRecipient[] | null> {
    const rows: (Partial<RecipientRow> & {
      campaign_status: string | null;
      claimed_id: string | null;
      claimed_attempts: number | null;
    })[] = await m.query(
      `WITH campaign AS (SELECT status FROM campaigns WHERE tenant_id = $1 AND id = $2),
         claimed AS (
           UPDATE campaign_deliveries SET state = 'sending', attempts = attempts + 1, updated_at = now()
           WHERE campaign_id = $2 AND contact_id = ANY($3::uuid[]) AND state = 'pending'
             AND (SELECT status FROM campaign) = 'sending' -- isSendable (campaign.rules), inside the statement
           RETURNING contact_id, attempts)
         SELECT (SELECT status FROM campaign) AS campaign_status, cl.contact_id AS claimed_id,
           cl.attempts AS claimed_attempts, c.contact_id, c.email,
           c.region, c.lawful_basis, c.status, c.consent_withdrawn, c.objected, c.tracking_consent, c.birth_date,
           c.variables
         FROM (SELECT 1) AS always
         LEFT JOIN (claimed cl LEFT JOIN campaign_contacts c ON c.tenant_id = $1 AND c.contact_id = cl.contact_id)
           ON true`,
      [tenantId, campaignId, contactIds],
    );
    if (rows[0]?.campaign_status !== 'sending') return null;
    return rows
      .filter((r) => r.claimed_id !== null)
      .map((r) => ({
        contactId: r.claimed_id!,
        attempts: r.claimed_attempts ?? 1,
        recipient: r.contact_id ? (r as RecipientRow) : null,
      }));
  }

  /** Writes many outcomes in one statement; a row no longer `sending` (declared unknown meanwhile) is left alone. */
  async record(m: EntityManager, outcomes: DeliveryOutcome[]): Promise<void> {
    await m.query(
      `UPDATE campaign_deliveries d SET state = o.state, reason = o.reason,
         message_id = coalesce(o.message_id, d.message_id), updated_at = now(),
         attempts = d.attempts - CASE WHEN o.not_tried THEN 1 ELSE 0 END
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::boolean[])
         AS o(campaign_id, contact_id, state, reason, message_id, not_tried)
       WHERE d.campaign_id = o.campaign_id AND d.contact_id = o.contact_id AND d.state = 'sending'`,
      [
        outcomes.map((o) => o.campaignId),
        outcomes.map((o) => o.contactId),
        outcomes.map((o) => o.state),
        outcomes.map((o) => o.reason),
        outcomes.map((o) => o.messageId),
        outcomes.map((o) => o.notTried ?? false),
      ],
    );
  }

  /**
   * Keeps live claims from looking stale (R-S6): only a dead process's claims age into `unknown`. Rows locked by a
   * transaction recording their outcome are skipped, not waited for: they are being decided anyway, and waiting on
   * them while holding other rows' locks could deadlock with that record.
   */
  async touch(m: EntityManager, claims: { campaignId: string; contactId: string }[]): Promise<void> {
    await m.query(
      `UPDATE campaign_deliveries d SET updated_at = now()
       FROM (SELECT campaign_id, contact_id FROM campaign_deliveries
             WHERE (campaign_id, contact_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[])) AND state = 'sending'
             FOR UPDATE SKIP LOCKED) c
       WHERE d.campaign_id = c.campaign_id AND d.contact_id = c.contact_id`,
      [claims.map((c) => c.campaignId), claims.map((c) => c.contactId)],
    );
  }

  /**
   * Claims whose process died before recording an outcome: never resent, counted as unknown (R-S6). A row locked by
   * a transaction recording its outcome right now is skipped (and decided by it), never waited for.
   */
  async markStaleClaimsUnknown(m: EntityManager, campaignId: string): Promise<number> {
    const rows = await queryRows(
      m,
      `UPDATE campaign_deliveries d SET state = 'unknown', reason = 'outcome lost in a crash', updated_at = now()
       FROM (SELECT contact_id FROM campaign_deliveries
             WHERE campaign_id = $1 AND state = 'sending' AND updated_at < now() - make_interval(secs => $2)
             FOR UPDATE SKIP LOCKED) s
       WHERE d.campaign_id = $1 AND d.contact_id = s.contact_id RETURNING 1`,
      [campaignId, STALE_CLAIM_SECONDS],
    );
    return rows.length;
  }

  /** The report's ledger counts (R-S7): messages per state, skipped ones per reason. */
  async stateCounts(
    m: EntityManager,
    tenantId: string,
    campaignId: string,
  ): Promise<{ state: string; reason: string | null; n: number }[]> {
    return m.query(
      `SELECT state, CASE WHEN state = 'skipped' THEN reason END AS reason, count(*)::int AS n
         FROM campaign_deliveries WHERE tenant_id = $1 AND campaign_id = $2 GROUP BY 1, 2`,
      [tenantId, campaignId],
    );
  }

  /**
   * Whether messages are not decided yet: `pending` ones wait for a batch job, `sending` ones for their record (or
   * staleness). Asked after every batch job, so it looks for one row of each, never counts: a plain index scan stops at
   * the first live row, and marks the index entries of rows decided meanwhile dead on its way (a count would revisit
   * every decided row of the campaign each time).
   */
  async open(m: EntityManager, campaignId: string): Promise<{ pending: boolean; sending: boolean }> {
    const [row] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM campaign_deliveries WHERE campaign_id = $1 AND state = 'pending') AS pending,
         EXISTS (SELECT 1 FROM campaign_deliveries WHERE campaign_id = $1 AND state = 'sending') AS sending`,
      [campaignId],
    );
    return row;
  }
}
