import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R-S8: provider webhooks (SES through SNS, SendGrid, Postmark, Mailgun) feed the same `inbound_feedback` table as
 * DSNs and ARF reports, so the row names its provider. The unique key stays per (tenant, contact, campaign,
 * outcome): a bounce heard both as a DSN and from a provider is recorded and published once.
 */
export class InboundFeedbackProviders1765420000081 implements MigrationInterface {
  name = 'InboundFeedbackProviders1765420000081';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbound_feedback DROP CONSTRAINT chk_inbound_feedback_source`);
    await q.query(`ALTER TABLE inbound_feedback ADD CONSTRAINT chk_inbound_feedback_source
      CHECK (source IN ('dsn', 'arf', 'ses', 'sendgrid', 'postmark', 'mailgun'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM inbound_feedback WHERE source NOT IN ('dsn', 'arf')`);
    await q.query(`ALTER TABLE inbound_feedback DROP CONSTRAINT chk_inbound_feedback_source`);
    await q.query(`ALTER TABLE inbound_feedback ADD CONSTRAINT chk_inbound_feedback_source
      CHECK (source IN ('dsn', 'arf'))`);
  }
}
