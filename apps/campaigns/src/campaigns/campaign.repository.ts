import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { keysetAtSql, queryRows, type KeysetPosition } from '@missive/database';
import type { RecipientRow } from '../sending/gate-state.repository';
import type { CampaignLink } from '../sending/link-plan';
import type { CampaignStatus } from './campaign.rules';

export interface CampaignRow {
  id: string;
  tenant_id: string;
  name: string;
  subject: string;
  from_email: string;
  from_name: string | null;
  html: string;
  text_body: string | null;
  links: CampaignLink[];
  /** R-C9: `filter` as the tenant gave it, checked when the campaign was created. */
  audience: { lists?: string[]; tags?: string[]; filter?: unknown };
  track_opens: boolean;
  track_clicks: boolean;
  send_at: Date | null;
  status: CampaignStatus;
  audience_size: number | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** Why the campaign paused itself (R-X6); null when the tenant paused it or it is not paused. */
  paused_reason: string | null;
}

export type NewCampaign = Omit<
  CampaignRow,
  'created_at' | 'updated_at' | 'started_at' | 'finished_at' | 'audience_size' | 'paused_reason'
>;

/** Queries only. Every method runs in a tenant transaction (RLS) and names the tenant it writes for (R-T1). */
@Injectable()
export class CampaignRepository {
  async insert(m: EntityManager, c: NewCampaign): Promise<CampaignRow> {
    const rows: CampaignRow[] = await m.query(
      `INSERT INTO campaigns (id, tenant_id, name, subject, from_email, from_name, html, text_body, links, audience,
         track_opens, track_clicks, send_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
      [
        c.id,
        c.tenant_id,
        c.name,
        c.subject,
        c.from_email,
        c.from_name,
        c.html,
        c.text_body,
        JSON.stringify(c.links),
        JSON.stringify(c.audience),
        c.track_opens,
        c.track_clicks,
        c.send_at,
        c.status,
      ],
    );
    return rows[0];
  }

  async find(
    m: EntityManager,
    tenantId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<CampaignRow | null> {
    const rows: CampaignRow[] = await m.query(
      `SELECT * FROM campaigns WHERE tenant_id = $1 AND id = $2${options.lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  /** Whether the tenant has the campaign. */
  async exists(m: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM campaigns WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return rows.length > 0;
  }

  /** One listing page, newest first, keyset on (created_at, id) after `after`; reads `limit` rows. */
  async list(
    m: EntityManager,
    tenantId: string,
    filter: { status: CampaignStatus | null; after: KeysetPosition | null; limit: number },
  ): Promise<(CampaignRow & { keyset_at: string })[]> {
    return m.query(
      `SELECT *, ${keysetAtSql('created_at')} AS keyset_at FROM campaigns
       WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [tenantId, filter.status, filter.after?.at ?? null, filter.after?.id ?? null, filter.limit],
    );
  }

  async setStatus(m: EntityManager, tenantId: string, id: string, status: CampaignStatus): Promise<CampaignRow> {
    const rows = await queryRows<CampaignRow>(
      m,
      `UPDATE campaigns SET status = $3, updated_at = now(), paused_reason = NULL,
         started_at = CASE WHEN $3 = 'sending' AND started_at IS NULL THEN now() ELSE started_at END,
         finished_at = CASE WHEN $3 IN ('sent', 'cancelled') THEN now() ELSE finished_at END
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [tenantId, id, status],
    );
    return rows[0];
  }

  /** The campaign's status, its row locked until the transaction ends; null when the tenant has no such campaign. */
  async lockStatus(m: EntityManager, tenantId: string, id: string): Promise<CampaignStatus | null> {
    const [campaign]: { status: CampaignStatus }[] = await m.query(
      'SELECT status FROM campaigns WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
      [tenantId, id],
    );
    return campaign?.status ?? null;
  }

  /** The audience snapshot's size, written once: a re-run start keeps the first figure. */
  async setAudienceSize(m: EntityManager, campaignId: string, size: number): Promise<void> {
    await m.query('UPDATE campaigns SET audience_size = $2 WHERE id = $1 AND audience_size IS NULL', [
      campaignId,
      size,
    ]);
  }

  /**
   * The campaign pauses itself with the reason, if it is still sending (R-X6: a template over its render budget);
   * the messages not yet sent stay pending and go out on resume. Returns whether it paused it now.
   */
  async pauseWithReason(m: EntityManager, tenantId: string, id: string, reason: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      m,
      `UPDATE campaigns SET status = 'paused', paused_reason = $3, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status = 'sending' RETURNING id`,
      [tenantId, id, reason],
    );
    return rows.length > 0;
  }

  /**
   * Pauses a campaign still sending or scheduled with the reason (R-S8: the complaint guard); true when it paused it
   * now, false when it was paused or finished already.
   */
  async pauseUnfinished(m: EntityManager, tenantId: string, id: string, reason: string): Promise<boolean> {
    const paused: { id: string }[] = await m.query(
      `UPDATE campaigns SET status = 'paused', paused_reason = $3, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 AND status IN ('sending', 'scheduled') RETURNING id`,
      [tenantId, id, reason],
    );
    return paused.length > 0;
  }

  /** One contact of the campaigns projection as a message would render it (preview, test send). */
  async findRecipient(m: EntityManager, tenantId: string, contactId: string): Promise<RecipientRow | null> {
    const rows: RecipientRow[] = await m.query(
      `SELECT contact_id, email, region, lawful_basis, status, consent_withdrawn, objected, tracking_consent,
         birth_date, variables
       FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2`,
      [tenantId, contactId],
    );
    return rows[0] ?? null;
  }

  /** The lists of `wanted` that no contact of the tenant is on (an audience naming them is refused). */
  async unknownLists(m: EntityManager, tenantId: string, wanted: string[]): Promise<string[]> {
    if (wanted.length === 0) return [];
    const rows: { list: string }[] = await m.query(
      `SELECT w.list FROM unnest($2::text[]) AS w(list)
       WHERE NOT EXISTS (SELECT 1 FROM campaign_contacts c WHERE c.tenant_id = $1 AND c.lists @> ARRAY[w.list])`,
      [tenantId, wanted],
    );
    return rows.map((r) => r.list);
  }
}
