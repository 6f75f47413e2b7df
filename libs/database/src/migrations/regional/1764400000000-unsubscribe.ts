import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * The unsubscribe service's tables (R-U1..U4), under RLS (R-T1):
 * - unsubscribe_contacts: what the page shows, fed by contact events: only the masked address and the lists,
 *   never the address itself (data minimisation);
 * - unsubscribe_opt_outs: every opt-out, durably stored before the 200 (R-U2), with its source.
 */
export class Unsubscribe1764400000000 implements MigrationInterface {
  name = 'Unsubscribe1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE unsubscribe_contacts (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      masked_address text NOT NULL,
      lists text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_unsubscribe_contacts PRIMARY KEY (tenant_id, contact_id)
    )`);
    await q.query(`CREATE TABLE unsubscribe_opt_outs (
      id bigserial PRIMARY KEY,
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      campaign_id uuid,
      lists text[],
      source text NOT NULL CHECK (source IN ('one-click', 'page', 'mailto', 'preferences', 'objection')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query('CREATE INDEX idx_unsubscribe_opt_outs_contact ON unsubscribe_opt_outs (tenant_id, contact_id)');
    for (const table of ['unsubscribe_contacts', 'unsubscribe_opt_outs'])
      for (const sql of tenantRlsSql(table)) await q.query(sql);
    await q.query('GRANT USAGE ON SEQUENCE unsubscribe_opt_outs_id_seq TO missive_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE unsubscribe_opt_outs, unsubscribe_contacts');
  }
}
