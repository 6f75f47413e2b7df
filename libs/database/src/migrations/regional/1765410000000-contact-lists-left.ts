import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R-U4, R-D1: the lists a person left, kept on their contact row (so per tenant, contact and list, under the
 * contacts table's row-level security) where the upsert's ON CONFLICT reads them at no extra lookup; and the
 * import report's rows kept off (a list the person left, a restricted contact). The partial index answers "does
 * this tenant have any contact an import must keep something off" with an index probe, once per batch.
 */
export class ContactListsLeft1765410000000 implements MigrationInterface {
  name = 'ContactListsLeft1765410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contacts ADD COLUMN lists_left text[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE INDEX idx_contacts_kept_off ON contacts (tenant_id, email)
      WHERE status = 'restricted' OR lists_left <> '{}'`);
    await q.query(`ALTER TABLE imports ADD COLUMN kept_off integer NOT NULL DEFAULT 0,
      ADD COLUMN kept_off_rows jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE imports DROP COLUMN kept_off_rows, DROP COLUMN kept_off');
    await q.query('DROP INDEX idx_contacts_kept_off');
    await q.query('ALTER TABLE contacts DROP COLUMN lists_left');
  }
}
