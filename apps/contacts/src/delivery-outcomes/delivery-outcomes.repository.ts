import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ContactStatus } from '@missive/contact-domain';
import { returnedRows } from '../sql-result';
import { SOFT_BOUNCE_WINDOW_DAYS } from './delivery-outcome.rules';

/** The contact columns delivery outcomes write (R-S8); every method takes the tenant id (RLS confines it too). */
@Injectable()
export class DeliveryOutcomesRepository {
  /**
   * Adds one soft bounce at `at` to the contact's recent ones, dropping those older than the window, and answers how
   * many are left (this one included); null when there is no such contact.
   */
  async addSoftBounce(m: EntityManager, tenantId: string, contactId: string, at: Date): Promise<number | null> {
    const result: unknown = await m.query(
      `UPDATE contacts c SET soft_bounces = ARRAY(
         SELECT b FROM unnest(c.soft_bounces || $3::timestamptz) AS t(b)
         WHERE b > now() - make_interval(days => $4) ORDER BY b)
       WHERE c.tenant_id = $1 AND c.id = $2
       RETURNING cardinality(c.soft_bounces) AS n`,
      [tenantId, contactId, at.toISOString(), SOFT_BOUNCE_WINDOW_DAYS],
    );
    const rows = returnedRows<{ n: number }>(result);
    return rows.length ? Number(rows[0].n) : null;
  }

  async setStatus(m: EntityManager, tenantId: string, contactId: string, status: ContactStatus): Promise<boolean> {
    const result: unknown = await m.query(
      `UPDATE contacts SET status = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status <> $3
       RETURNING 1`,
      [tenantId, contactId, status],
    );
    return returnedRows(result).length > 0;
  }
}
