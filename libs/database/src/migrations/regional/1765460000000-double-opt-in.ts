import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * R-C8 double opt-in. A contact can be `pending` until the person confirms; the confirmation is a consent-history
 * row of its own (`kind = 'confirmation'`, with the truncated IP and the user agent). The campaigns service keeps
 * which confirmation messages it sent (one per contact, ever), the unsubscribe service which confirmations it
 * recorded (a second POST changes nothing); both rows carry `contact_id`, so an erasure removes them. A tenant's
 * days before an unconfirmed contact is erased live in `tenant_opt_in_settings` (no row: 30).
 */
export class DoubleOptIn1765460000000 implements MigrationInterface {
  name = 'DoubleOptIn1765460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE contacts DROP CONSTRAINT chk_contacts_status');
    await q.query(`ALTER TABLE contacts ADD CONSTRAINT chk_contacts_status CHECK (status IN
      ('active', 'pending', 'unsubscribed', 'suppressed', 'bounced', 'complained', 'restricted'))`);
    await q.query(`CREATE INDEX idx_contacts_pending ON contacts (tenant_id, created_at) WHERE status = 'pending'`);
    await q.query('ALTER TABLE consents DROP CONSTRAINT chk_consents_kind');
    await q.query(`ALTER TABLE consents ADD CONSTRAINT chk_consents_kind CHECK (kind IN
      ('grant', 'withdrawal', 'confirmation'))`);
    await q.query('ALTER TABLE consents ADD COLUMN user_agent text');

    await q.query(`CREATE TABLE tenant_opt_in_settings (
      tenant_id uuid NOT NULL,
      unconfirmed_days integer NOT NULL DEFAULT 30
        CONSTRAINT chk_tenant_opt_in_settings_days CHECK (unconfirmed_days BETWEEN 1 AND 365),
      CONSTRAINT pk_tenant_opt_in_settings PRIMARY KEY (tenant_id)
    )`);
    for (const sql of tenantRlsSql('tenant_opt_in_settings')) await q.query(sql);

    await q.query(`CREATE TABLE campaign_opt_in_messages (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      message_id text NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_campaign_opt_in_messages PRIMARY KEY (tenant_id, contact_id)
    )`);
    for (const sql of tenantRlsSql('campaign_opt_in_messages')) await q.query(sql);

    await q.query(`CREATE TABLE unsubscribe_opt_in_confirmations (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      confirmed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_unsubscribe_opt_in_confirmations PRIMARY KEY (tenant_id, contact_id)
    )`);
    for (const sql of tenantRlsSql('unsubscribe_opt_in_confirmations')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE unsubscribe_opt_in_confirmations');
    await q.query('DROP TABLE campaign_opt_in_messages');
    await q.query('DROP TABLE tenant_opt_in_settings');
    await q.query(`DELETE FROM consents WHERE kind = 'confirmation'`);
    await q.query('ALTER TABLE consents DROP COLUMN user_agent');
    await q.query('ALTER TABLE consents DROP CONSTRAINT chk_consents_kind');
    await q.query(`ALTER TABLE consents ADD CONSTRAINT chk_consents_kind CHECK (kind IN ('grant', 'withdrawal'))`);
    await q.query('DROP INDEX idx_contacts_pending');
    await q.query(`DELETE FROM contacts WHERE status = 'pending'`);
    await q.query('ALTER TABLE contacts DROP CONSTRAINT chk_contacts_status');
    await q.query(`ALTER TABLE contacts ADD CONSTRAINT chk_contacts_status CHECK (status IN
      ('active', 'unsubscribed', 'suppressed', 'bounced', 'complained', 'restricted'))`);
  }
}
