import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';

/**
 * The purge's bookkeeping in each regional database (R-P3): per tenant and store, how much was deleted, updated in
 * the same transaction as each deleting batch, so a purge killed mid-way resumes and its certificate still counts
 * every row exactly once. `planned` holds a count taken before deleting from a store that has no transactions
 * (Redis, BullMQ, files). Rows are removed once the certificate is written. Not under tenant RLS: only the purge,
 * which works across tenants' data by design, touches it.
 */
export class PurgeProgress1765100000000 implements MigrationInterface {
  name = 'PurgeProgress1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE purge_progress (
      tenant_id uuid NOT NULL,
      store text NOT NULL,
      deleted bigint NOT NULL DEFAULT 0,
      planned bigint,
      done boolean NOT NULL DEFAULT false,
      CONSTRAINT pk_purge_progress PRIMARY KEY (tenant_id, store)
    )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON purge_progress TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE purge_progress');
  }
}
