import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * R-S8: what the inbound SMTP listener heard at a message's VERP Return-Path (DSNs, ARF reports), stored before its
 * 250 and published as `delivery.recorded` from the same transaction. Ids, outcome and status code only: never the
 * report's body or an address. One row per (tenant, contact, campaign, outcome), so a DSN sent again, or a second
 * delay warning for the same message, is recorded and published once. Tokens without a campaign share one key.
 */
export class InboundFeedback1765420000072 implements MigrationInterface {
  name = 'InboundFeedback1765420000072';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE inbound_feedback (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      campaign_id uuid,
      outcome text NOT NULL CONSTRAINT chk_inbound_feedback_outcome
        CHECK (outcome IN ('hard-bounce', 'soft-bounce', 'complaint')),
      source text NOT NULL CONSTRAINT chk_inbound_feedback_source CHECK (source IN ('dsn', 'arf')),
      status text CONSTRAINT chk_inbound_feedback_status CHECK (length(status) <= 32),
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT uq_inbound_feedback UNIQUE NULLS NOT DISTINCT (tenant_id, contact_id, campaign_id, outcome)
    )`);
    for (const sql of tenantRlsSql('inbound_feedback')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE inbound_feedback');
  }
}
