import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';

/**
 * Each tenant's data key, wrapped under TENANT_KEY_MASTER, in the tenant's own region. Deleting the row is the
 * crypto-shredding step of the purge (R-P2). Holds no personal data; read by id across tenants, so no RLS.
 */
export class TenantKeys1764200000000 implements MigrationInterface {
  name = 'TenantKeys1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tenant_keys (
      tenant_id uuid PRIMARY KEY,
      wrapped_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON tenant_keys TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE tenant_keys');
  }
}
