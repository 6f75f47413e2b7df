import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_APP_ROLE_SQL } from '../../app-role';
import { OUTBOX_INBOX_DOWN, OUTBOX_INBOX_UP } from '../outbox-inbox.sql';

export class RegionalFoundation1763900000000 implements MigrationInterface {
  name = 'RegionalFoundation1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(CREATE_APP_ROLE_SQL);
    for (const sql of OUTBOX_INBOX_UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of OUTBOX_INBOX_DOWN) await q.query(sql);
  }
}
