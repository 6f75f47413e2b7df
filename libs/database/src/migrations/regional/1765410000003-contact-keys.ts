import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * R-D1: each contact's own data key, random, wrapped under its tenant's data key (libs/tenant-keys). Personal fields
 * of events are sealed with it; erasure deletes the row, so every copy in Kafka becomes unreadable at once, and the
 * purge goes further by destroying the tenant key that wraps them all (R-P2). Under row-level security like every
 * tenant table: readers set the tenant first.
 */
export class ContactKeys1765410000003 implements MigrationInterface {
  name = 'ContactKeys1765410000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE contact_keys (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      wrapped_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, contact_id)
    )`);
    for (const sql of tenantRlsSql('contact_keys')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contact_keys');
  }
}
