import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A contact's latest human open and click as tracking published them (ISO times; null: none). */
export interface ContactEngagement {
  contactId: string;
  opened: string | null;
  clicked: string | null;
}

/**
 * R-C9: each contact's latest open and click, read by the `openedWithinDays` / `clickedWithinDays` audience
 * filters. Queries only; tenant transactions (R-T1).
 */
@Injectable()
export class ContactEngagementRepository {
  /** Keeps the later time of each; a replayed or late event changes nothing. Rows in the order given. */
  async keepLatest(m: EntityManager, tenantId: string, engagement: ContactEngagement[]): Promise<void> {
    await m.query(
      `INSERT INTO campaign_contact_engagement AS e (tenant_id, contact_id, last_opened_at, last_clicked_at)
         SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[])
         ON CONFLICT (tenant_id, contact_id) DO UPDATE SET
           last_opened_at = GREATEST(e.last_opened_at, EXCLUDED.last_opened_at),
           last_clicked_at = GREATEST(e.last_clicked_at, EXCLUDED.last_clicked_at)`,
      [tenantId, engagement.map((e) => e.contactId), engagement.map((e) => e.opened), engagement.map((e) => e.clicked)],
    );
  }

  /** An erased contact's engagement goes with its projection row (R-D1). */
  async remove(m: EntityManager, tenantId: string, contactId: string): Promise<void> {
    await m.query('DELETE FROM campaign_contact_engagement WHERE tenant_id = $1 AND contact_id = $2', [
      tenantId,
      contactId,
    ]);
  }
}
