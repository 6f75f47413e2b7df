import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * R-X7: the tenant's webhook endpoints. The signing secret is sealed with the tenant's data key (never in clear at
 * rest): a database dump alone cannot sign a webhook, and the purge's crypto-shredding leaves a backup's copy
 * unreadable. Under row-level security like every tenant table (R-T1); the purge finds it by its `tenant_id`.
 */
export class WebhookEndpoints1765460000073 implements MigrationInterface {
  name = 'WebhookEndpoints1765460000073';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS webhook_endpoints (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      url text NOT NULL CONSTRAINT chk_webhook_endpoints_url CHECK (length(url) <= 2048),
      events text[] NOT NULL CONSTRAINT chk_webhook_endpoints_events CHECK (cardinality(events) BETWEEN 1 AND 16),
      secret_sealed text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_webhook_endpoints PRIMARY KEY (tenant_id, id)
    )`);
    for (const sql of tenantRlsSql('webhook_endpoints')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_endpoints');
  }
}
