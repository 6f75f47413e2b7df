import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * R-S9: the domains a tenant sends from, each with its own DKIM key. The private key is sealed with the tenant's
 * data key (never in clear at rest), so the purge's crypto-shredding also makes a copy left in a backup unreadable.
 * A domain is the tenant's once: another tenant may register the same name with a key of its own.
 */
export class SendingDomains1765430000081 implements MigrationInterface {
  name = 'SendingDomains1765430000081';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sending_domains (
      tenant_id uuid NOT NULL,
      domain text NOT NULL CONSTRAINT chk_sending_domains_domain CHECK (length(domain) <= 253),
      selector text NOT NULL CONSTRAINT chk_sending_domains_selector CHECK (length(selector) <= 63),
      public_key text NOT NULL,
      private_key_sealed text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CONSTRAINT chk_sending_domains_status
        CHECK (status IN ('pending', 'verified')),
      verified_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_sending_domains PRIMARY KEY (tenant_id, domain)
    )`);
    for (const sql of tenantRlsSql('sending_domains')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sending_domains');
  }
}
