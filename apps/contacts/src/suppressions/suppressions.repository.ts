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

  /**
   * Adds the addresses not on the list yet, in one statement however many (a single add and a CSV import alike);
   * returns the addresses it added. The addresses must be distinct.
   */
  async addMany(
    m: EntityManager,
    tenantId: string,
    suppressions: readonly { email: string; reason: string }[],
  ): Promise<string[]> {
    const rows: { email: string }[] = await m.query(
      `INSERT INTO suppressions (tenant_id, email, reason)
       SELECT $1, t.email, t.reason FROM unnest($2::text[], $3::text[]) AS t(email, reason)
       ON CONFLICT (tenant_id, email) DO NOTHING RETURNING email`,
      [tenantId, suppressions.map((s) => s.email), suppressions.map((s) => s.reason)],
    );
    return rows.map((r) => r.email);
  }

  async find(m: EntityManager, tenantId: string, email: string): Promise<SuppressionRow | null> {
    const rows: SuppressionRow[] = await m.query(
      `SELECT email, reason, created_at FROM suppressions WHERE tenant_id = $1 AND email = $2`,
      [tenantId, email],
    );
    return rows[0] ?? null;
  }

  /**
   * Removes the address's suppressions with one of `reasons` — as the address, or as the keyed hash an erased
   * opted-out person left (R-D2) — and says whether the address is still on the list for another reason.
   */
  async removeWithReasons(
    m: EntityManager,
    tenantId: string,
    email: string,
    addressHash: string,
    reasons: readonly string[],
  ): Promise<{ removed: number; stillSuppressed: boolean }> {
    const result: unknown = await m.query(
      `DELETE FROM suppressions WHERE tenant_id = $1 AND (email = $2 OR address_hash = $3) AND reason = ANY($4::text[])
       RETURNING 1`,
      [tenantId, email, addressHash, reasons],
    );
    const left: unknown[] = await m.query(
      `SELECT 1 FROM suppressions WHERE tenant_id = $1 AND (email = $2 OR address_hash = $3) LIMIT 1`,
      [tenantId, email, addressHash],
    );
    return { removed: returnedRows(result).length, stillSuppressed: left.length > 0 };
  }

  /** Removes the address from the list; returns the reason it was on it, or null when it was not. */
  async remove(m: EntityManager, tenantId: string, email: string): Promise<string | null> {
    const result: unknown = await m.query(
      `DELETE FROM suppressions WHERE tenant_id = $1 AND email = $2 RETURNING reason`,
      [tenantId, email],
    );
    return returnedRows<{ reason: string }>(result)[0]?.reason ?? null;
  }
}
