import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * R-S5, R-S8: the contacts service owns what a delivery outcome means for an address. A contact can now be
 * `complained`; its recent soft bounces are kept on its row (3 within 30 days suppress), so they go with an erasure.
 * The campaigns service counts, per campaign, the bounces and complaints heard after the relay's acceptance (DSNs,
 * ARF reports, provider webhooks) for its report, once per (campaign, contact, outcome).
 */
export class DeliveryOutcomes1765420000071 implements MigrationInterface {
  name = 'DeliveryOutcomes1765420000071';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE contacts DROP CONSTRAINT chk_contacts_status');
    await q.query(`ALTER TABLE contacts ADD CONSTRAINT chk_contacts_status CHECK (status IN
      ('active', 'unsubscribed', 'suppressed', 'bounced', 'complained', 'restricted'))`);
    await q.query(`ALTER TABLE contacts ADD COLUMN soft_bounces timestamptz[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE TABLE campaign_delivery_feedback (
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      outcome text NOT NULL CONSTRAINT chk_campaign_delivery_feedback_outcome
        CHECK (outcome IN ('hard-bounce', 'soft-bounce', 'complaint')),
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_campaign_delivery_feedback PRIMARY KEY (campaign_id, contact_id, outcome)
    )`);
    for (const sql of tenantRlsSql('campaign_delivery_feedback')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaign_delivery_feedback');
    await q.query('ALTER TABLE contacts DROP COLUMN soft_bounces');
    await q.query(`UPDATE contacts SET status = 'bounced' WHERE status = 'complained'`);
    await q.query('ALTER TABLE contacts DROP CONSTRAINT chk_contacts_status');
    await q.query(`ALTER TABLE contacts ADD CONSTRAINT chk_contacts_status CHECK (status IN
      ('active', 'unsubscribed', 'suppressed', 'bounced', 'restricted'))`);
  }
}
