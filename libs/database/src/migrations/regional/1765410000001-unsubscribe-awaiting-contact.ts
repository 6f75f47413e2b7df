import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R-U2, R-U3: a validly signed opt-out whose contact the unsubscribe service's projection has not seen yet is
 * stored at once, in the same table (so under its row-level security, and erased, exported and purged like every
 * other opt-out), marked as awaiting the contact; its `unsubscribe.recorded` goes out when the contact arrives.
 * The partial index answers "does any arriving contact have an opt-out waiting" with an index probe.
 */
export class UnsubscribeAwaitingContact1765410000001 implements MigrationInterface {
  name = 'UnsubscribeAwaitingContact1765410000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE unsubscribe_opt_outs ADD COLUMN awaiting_contact boolean NOT NULL DEFAULT false');
    await q.query(`CREATE INDEX idx_unsubscribe_opt_outs_awaiting ON unsubscribe_opt_outs (tenant_id, contact_id)
      WHERE awaiting_contact`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX idx_unsubscribe_opt_outs_awaiting');
    await q.query('ALTER TABLE unsubscribe_opt_outs DROP COLUMN awaiting_contact');
  }
}
