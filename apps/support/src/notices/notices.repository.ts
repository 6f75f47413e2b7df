import type { EntityManager } from 'typeorm';

export type NoticeKind = 'incident' | 'privacy-request-referral' | 'complaint-rate';

export interface Notice {
  id: string;
  kind: NoticeKind;
  summary: string;
  createdAt: string;
}

interface NoticeRow {
  id: string;
  kind: NoticeKind;
  summary: string;
  created_at: Date;
}

const toNotice = (row: NoticeRow): Notice => ({
  id: row.id,
  kind: row.kind,
  summary: row.summary,
  createdAt: row.created_at.toISOString(),
});

/**
 * Notices in a tenant's regional database. Every method takes the manager of a `tenantDb` / `withTenant`
 * transaction, so row-level security confines it to that tenant (R-T1); no method takes a tenant id to filter by.
 */
export const NoticesRepository = {
  async list(manager: EntityManager, limit: number): Promise<Notice[]> {
    const rows: NoticeRow[] = await manager.query(
      'SELECT id, kind, summary, created_at FROM notices ORDER BY created_at DESC, id LIMIT $1',
      [limit],
    );
    return rows.map(toNotice);
  },

  async find(manager: EntityManager, id: string): Promise<Notice | null> {
    const rows: NoticeRow[] = await manager.query('SELECT id, kind, summary, created_at FROM notices WHERE id = $1', [
      id,
    ]);
    return rows[0] ? toNotice(rows[0]) : null;
  },

  /** The tenant id must equal the transaction's `app.tenant_id`, or the RLS check refuses the row. */
  async insert(
    manager: EntityManager,
    notice: { id: string; tenantId: string; kind: NoticeKind; summary: string },
  ): Promise<void> {
    await manager.query('INSERT INTO notices (id, tenant_id, kind, summary) VALUES ($1, $2, $3, $4)', [
      notice.id,
      notice.tenantId,
      notice.kind,
      notice.summary,
    ]);
  },
};
