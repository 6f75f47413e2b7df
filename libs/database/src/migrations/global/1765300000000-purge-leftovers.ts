import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R-P6: after the certificate, every sweep re-checks the purged tenant's stores for anything that came back (a late
 * event, an old link). What it finds is deleted and counted here, on the certificate's record, per store.
 */
export class PurgeLeftovers1765300000000 implements MigrationInterface {
  name = 'PurgeLeftovers1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant_purges
      ADD COLUMN leftovers_deleted jsonb NOT NULL DEFAULT '{}'::jsonb,
      ADD COLUMN leftovers_checked_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE tenant_purges DROP COLUMN leftovers_deleted, DROP COLUMN leftovers_checked_at');
  }
}
