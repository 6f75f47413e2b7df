import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';

/**
 * The global directory (R-T2): tenants, hashed API keys, staff and the audit log. None of it is contact
 * personal data: names here are client companies and staff, keys and tokens are SHA-256 hashes (R-X1), and
 * incidents keep only ids and dates (the summary goes to each tenant's regional notices).
 */
export class TenantDirectory1764000000000 implements MigrationInterface {
  name = 'TenantDirectory1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tenants (
      id uuid PRIMARY KEY,
      name text NOT NULL CONSTRAINT chk_tenants_name CHECK (length(name) BETWEEN 1 AND 200),
      region text NOT NULL CONSTRAINT chk_tenants_region CHECK (region IN ('NA', 'EEA')),
      transfer_safeguard text,
      status text NOT NULL DEFAULT 'active' CONSTRAINT chk_tenants_status CHECK (status IN ('active', 'terminated', 'purged')),
      terminated_at timestamptz,
      purge_due_at timestamptz,
      purged_at timestamptz,
      legal_hold_reason text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    // R-T2: the home region is fixed at creation; not even a bug in the app can move a tenant.
    await q.query(`CREATE FUNCTION tenants_region_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.region <> OLD.region THEN RAISE EXCEPTION 'a tenant''s region is fixed at creation (R-T2)'; END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tenants_region_fixed BEFORE UPDATE ON tenants
      FOR EACH ROW EXECUTE FUNCTION tenants_region_fixed()`);

    await q.query(`CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL CONSTRAINT fk_api_keys_tenant REFERENCES tenants (id),
      key_hash text NOT NULL CONSTRAINT chk_api_keys_key_hash CHECK (key_hash ~ '^[0-9a-f]{64}$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CONSTRAINT uq_api_keys_key_hash UNIQUE (key_hash)
    )`);
    await q.query(`CREATE INDEX idx_api_keys_tenant_id ON api_keys (tenant_id)`);

    await q.query(`CREATE TABLE staff (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL CONSTRAINT chk_staff_role CHECK (role IN ('support', 'admin')),
      region text NOT NULL CONSTRAINT chk_staff_region CHECK (region IN ('NA', 'EEA')),
      token_hash text NOT NULL CONSTRAINT chk_staff_token_hash CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CONSTRAINT uq_staff_token_hash UNIQUE (token_hash)
    )`);

    await q.query(`CREATE TABLE incidents (
      id uuid PRIMARY KEY,
      tenant_ids uuid[] NOT NULL,
      detected_at timestamptz NOT NULL,
      recorded_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);

    // R-A3: append-only and hash-chained. The app role may only read and append; a trigger refuses UPDATE,
    // DELETE and TRUNCATE from anyone, so only a deliberate superuser act (disabling triggers) can tamper,
    // and the hash chain then shows where.
    await q.query(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      tenant_id uuid,
      cross_region boolean NOT NULL DEFAULT false,
      details jsonb NOT NULL DEFAULT '{}',
      prev_hash text NOT NULL,
      hash text NOT NULL,
      CONSTRAINT uq_audit_log_hash UNIQUE (hash)
    )`);
    await q.query(`CREATE INDEX idx_audit_log_tenant_id ON audit_log (tenant_id, id) WHERE tenant_id IS NOT NULL`);
    await q.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only (R-A3)'; END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);

    await q.query(`GRANT SELECT, INSERT, UPDATE ON tenants, api_keys, staff TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON incidents TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON audit_log TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE ON SEQUENCE audit_log_id_seq TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_log');
    await q.query('DROP FUNCTION audit_log_append_only()');
    await q.query('DROP TABLE incidents');
    await q.query('DROP TABLE staff');
    await q.query('DROP TABLE api_keys');
    await q.query('DROP TABLE tenants');
    await q.query('DROP FUNCTION tenants_region_fixed()');
  }
}
