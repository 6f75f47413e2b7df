import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * The contacts service's tables (R-T1, R-T3, R-C1–C7, R-U5), in each regional database. Every table carries
 * `tenant_id` and is under row-level security (FORCE). Consent history is written by a statement-level trigger,
 * so the API's single-row upsert and the import's set-based upsert keep it the same way (R-C2).
 */
export class Contacts1764100000000 implements MigrationInterface {
  name = 'Contacts1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE contacts (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      email text NOT NULL,
      first_name text,
      last_name text,
      phone text,
      locale text,
      region text NOT NULL CONSTRAINT chk_contacts_region CHECK (region IN ('NA', 'EEA')),
      lawful_basis text NOT NULL CONSTRAINT chk_contacts_lawful_basis CHECK (lawful_basis IN
        ('consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests')),
      consent jsonb,
      tracking_consent boolean NOT NULL DEFAULT false,
      birth_date date,
      status text NOT NULL DEFAULT 'active' CONSTRAINT chk_contacts_status CHECK (status IN
        ('active', 'unsubscribed', 'suppressed', 'bounced', 'restricted')),
      attributes jsonb NOT NULL DEFAULT '{}',
      lists text[] NOT NULL DEFAULT '{}',
      tags text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_contacts PRIMARY KEY (id),
      CONSTRAINT uq_contacts_tenant_email UNIQUE (tenant_id, email)
    )`);
    for (const sql of tenantRlsSql('contacts')) await q.query(sql);

    await q.query(`CREATE TABLE consents (
      id bigint GENERATED ALWAYS AS IDENTITY,
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      kind text NOT NULL CONSTRAINT chk_consents_kind CHECK (kind IN ('grant', 'withdrawal')),
      given_at timestamptz,
      source text,
      ip text,
      text text,
      explicit boolean NOT NULL DEFAULT false,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_consents PRIMARY KEY (id)
    )`);
    // No foreign key: a per-row RI check would cost a bulk import more than the history insert itself; the
    // repository deletes a contact's history with the contact (erasure).
    await q.query(`CREATE INDEX idx_consents_contact ON consents (contact_id, recorded_at)`);
    for (const sql of tenantRlsSql('consents')) await q.query(sql);

    // R-C2: a grant when a contact gets a consent record or a different one, a withdrawal when it loses it.
    await q.query(`CREATE FUNCTION contacts_consent_history() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO consents (tenant_id, contact_id, kind, given_at, source, ip, text, explicit)
        SELECT n.tenant_id, n.id, 'grant', (n.consent->>'givenAt')::timestamptz, n.consent->>'source',
               n.consent->>'ip', n.consent->>'text', coalesce((n.consent->>'explicit')::boolean, false)
        FROM new_rows n WHERE n.consent IS NOT NULL;
      ELSE
        INSERT INTO consents (tenant_id, contact_id, kind, given_at, source, ip, text, explicit)
        SELECT n.tenant_id, n.id, CASE WHEN n.consent IS NULL THEN 'withdrawal' ELSE 'grant' END,
               CASE WHEN n.consent IS NULL THEN now() ELSE (n.consent->>'givenAt')::timestamptz END,
               n.consent->>'source', n.consent->>'ip', n.consent->>'text',
               coalesce((n.consent->>'explicit')::boolean, false)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.consent IS DISTINCT FROM o.consent;
      END IF;
      RETURN NULL;
    END $$`);
    await q.query(`CREATE TRIGGER trg_contacts_consent_insert AFTER INSERT ON contacts
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_consent_history()`);
    await q.query(`CREATE TRIGGER trg_contacts_consent_update AFTER UPDATE ON contacts
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
      EXECUTE FUNCTION contacts_consent_history()`);

    await q.query(`CREATE TABLE suppressions (
      tenant_id uuid NOT NULL,
      email text NOT NULL,
      reason text NOT NULL DEFAULT 'manual',
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_suppressions PRIMARY KEY (tenant_id, email)
    )`);
    for (const sql of tenantRlsSql('suppressions')) await q.query(sql);

    await q.query(`CREATE TABLE imports (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      format text NOT NULL CONSTRAINT chk_imports_format CHECK (format IN ('csv', 'ndjson')),
      status text NOT NULL DEFAULT 'queued' CONSTRAINT chk_imports_status CHECK (status IN
        ('queued', 'running', 'done', 'failed')),
      file_path text,
      file_bytes bigint NOT NULL DEFAULT 0,
      columns text[],
      offset_bytes bigint NOT NULL DEFAULT 0,
      offset_line bigint NOT NULL DEFAULT 0,
      total integer NOT NULL DEFAULT 0,
      created integer NOT NULL DEFAULT 0,
      updated integer NOT NULL DEFAULT 0,
      unchanged integer NOT NULL DEFAULT 0,
      rejected integer NOT NULL DEFAULT 0,
      error_count integer NOT NULL DEFAULT 0,
      errors jsonb NOT NULL DEFAULT '[]',
      failure text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_imports PRIMARY KEY (id)
    )`);
    await q.query(`CREATE INDEX idx_imports_tenant_created ON imports (tenant_id, created_at DESC)`);
    for (const sql of tenantRlsSql('imports')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE imports');
    await q.query('DROP TABLE suppressions');
    await q.query('DROP TABLE consents');
    await q.query('DROP TABLE contacts');
    await q.query('DROP FUNCTION contacts_consent_history()');
  }
}
