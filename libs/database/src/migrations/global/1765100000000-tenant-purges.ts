import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';

/**
 * One row per tenant purge (R-P3, R-P4): `started_at` once deletion begins (from then on nothing can be restored
 * or held, R-P5), `completed_at` and `deleted` (rows/keys/jobs/files per store) when it finished. A finished row is
 * the purge certificate: ids, dates and counts only, no personal data.
 */
export class TenantPurges1765100000000 implements MigrationInterface {
  name = 'TenantPurges1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tenant_purges (
      tenant_id uuid PRIMARY KEY CONSTRAINT fk_tenant_purges_tenant REFERENCES tenants (id),
      purge_due_at timestamptz NOT NULL,
      started_at timestamptz NOT NULL,
      completed_at timestamptz,
      deleted jsonb
    )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON tenant_purges TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE tenant_purges');
  }
}
