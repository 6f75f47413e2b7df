import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * Data-subject requests (R-D1, R-D3) and the keyed-hash suppressions that outlive an erasure (R-D2), in each
 * regional database under row-level security (R-T1).
 * - privacy_requests: one row per request, from the tenant API (`source = 'api'`) or referred by support
 *   (`'support'`, R-D3). The address is kept only as a keyed hash (`address_hash`, keyed with the tenant's own key,
 *   so it dies with the purge); `result` holds the access export or what was done.
 * - suppressions: a row may now hold only `address_hash` (email NULL): what stays of an erased person who had
 *   opted out, so neither the API upsert nor an import can bring them back as mailable (R-D2).
 */
export class PrivacyRequests1765000000000 implements MigrationInterface {
  name = 'PrivacyRequests1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE privacy_requests (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      type text NOT NULL CONSTRAINT chk_privacy_requests_type CHECK (type IN
        ('access', 'portability', 'rectification', 'erasure', 'restriction', 'objection')),
      status text NOT NULL DEFAULT 'pending' CONSTRAINT chk_privacy_requests_status CHECK (status IN
        ('pending', 'completed', 'rejected')),
      source text NOT NULL CONSTRAINT chk_privacy_requests_source CHECK (source IN ('api', 'support')),
      contact_id uuid,
      address_hash text,
      received_at timestamptz NOT NULL,
      acknowledge_by timestamptz,
      due_at timestamptz NOT NULL,
      completed_at timestamptz,
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_privacy_requests PRIMARY KEY (id)
    )`);
    await q.query(`CREATE INDEX idx_privacy_requests_tenant_received ON privacy_requests (tenant_id, received_at)`);
    await q.query(
      `CREATE INDEX idx_privacy_requests_contact ON privacy_requests (tenant_id, contact_id) WHERE contact_id IS NOT NULL`,
    );
    for (const sql of tenantRlsSql('privacy_requests')) await q.query(sql);

    // R-D2: hash-only rows. The primary key on (tenant_id, email) becomes a unique constraint (NULLs allowed, so
    // `ON CONFLICT (tenant_id, email)` keeps working for plain rows), and each hash is unique per tenant.
    await q.query(`ALTER TABLE suppressions DROP CONSTRAINT pk_suppressions`);
    await q.query(`ALTER TABLE suppressions ALTER COLUMN email DROP NOT NULL`);
    await q.query(`ALTER TABLE suppressions ADD CONSTRAINT uq_suppressions_tenant_email UNIQUE (tenant_id, email)`);
    await q.query(`ALTER TABLE suppressions ADD COLUMN address_hash text`);
    await q.query(`ALTER TABLE suppressions ADD CONSTRAINT chk_suppressions_address
      CHECK (email IS NOT NULL OR address_hash IS NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX uq_suppressions_tenant_address_hash ON suppressions (tenant_id, address_hash)
      WHERE address_hash IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM suppressions WHERE email IS NULL');
    await q.query('DROP INDEX uq_suppressions_tenant_address_hash');
    await q.query('ALTER TABLE suppressions DROP CONSTRAINT chk_suppressions_address');
    await q.query('ALTER TABLE suppressions DROP COLUMN address_hash');
    await q.query('ALTER TABLE suppressions DROP CONSTRAINT uq_suppressions_tenant_email');
    await q.query('ALTER TABLE suppressions ALTER COLUMN email SET NOT NULL');
    await q.query('ALTER TABLE suppressions ADD CONSTRAINT pk_suppressions PRIMARY KEY (tenant_id, email)');
    await q.query('DROP TABLE privacy_requests');
  }
}
