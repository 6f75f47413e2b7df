import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * Notices a tenant reads at `GET /v1/notices`: security incidents (R-A2, GDPR Art. 33(2)) and privacy requests
 * referred by support (R-D3). Kept in the tenant's region, under row-level security like every tenant table (R-T1).
 */
export class TenantNotices1764000000000 implements MigrationInterface {
  name = 'TenantNotices1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE notices (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      kind text NOT NULL CONSTRAINT chk_notices_kind CHECK (kind IN ('incident', 'privacy-request-referral')),
      summary text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX idx_notices_tenant_created ON notices (tenant_id, created_at DESC)`);
    for (const sql of tenantRlsSql('notices')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notices');
  }
}
