import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '../sql-result';

export interface SuppressionRow {
  email: string;
  reason: string;
  created_at: Date;
}

/** Queries on a tenant's suppression list (R-U5); every method takes the tenant id. */
@Injectable()
export class SuppressionsRepository {
  /** One page in address order, starting after `after`; hash-only rows of erased people (R-D2) have no address. */
  list(m: EntityManager, tenantId: string, limit: number, after: string | null): Promise<SuppressionRow[]> {
    return m.query(
      `SELECT email, reason, created_at FROM suppressions
       WHERE tenant_id = $1 AND email IS NOT NULL AND ($2::text IS NULL OR email > $2) ORDER BY email LIMIT $3`,
      [tenantId, after, limit],
    );
  }

  /** Adds the address; `added` is false when it was already on the list (the stored row is returned). */
  async add(
    m: EntityManager,
    tenantId: string,
    email: string,
    reason: string,
  ): Promise<{ row: SuppressionRow; added: boolean }> {
    const inserted: SuppressionRow[] = await m.query(
      `INSERT INTO suppressions (tenant_id, email, reason) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, email) DO NOTHING RETURNING email, reason, created_at`,
      [tenantId, email, reason],
    );
    if (inserted.length > 0) return { row: inserted[0], added: true };
    const rows: SuppressionRow[] = await m.query(
      `SELECT email, reason, created_at FROM suppressions WHERE tenant_id = $1 AND email = $2`,
      [tenantId, email],
    );
    return { row: rows[0], added: false };
  }

  async remove(m: EntityManager, tenantId: string, email: string): Promise<boolean> {
    const result: unknown = await m.query(
      `DELETE FROM suppressions WHERE tenant_id = $1 AND email = $2 RETURNING email`,
      [tenantId, email],
    );
    return returnedRows(result).length > 0;
  }
}
