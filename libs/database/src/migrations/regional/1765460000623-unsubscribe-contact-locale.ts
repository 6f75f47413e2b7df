import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R-U6: the unsubscribe projection keeps the contact's `locale` (opened from the sealed personal fields of
 * `contact.changed`, like the masked address), so the recipient pages speak it before the browser's
 * Accept-Language. Null until the contact's next event; rows of older events stay valid.
 */
export class UnsubscribeContactLocale1765460000623 implements MigrationInterface {
  name = 'UnsubscribeContactLocale1765460000623';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE unsubscribe_contacts ADD COLUMN IF NOT EXISTS locale text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE unsubscribe_contacts DROP COLUMN IF EXISTS locale');
  }
}
