import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';

/**
 * R-A3: the keyed, anchored audit chain.
 * - audit_log.key_id: the AUDIT_CHAIN_KEYS key whose HMAC made the entry's hash; NULL only for the entries written
 *   before this migration (plain SHA-256). They stay as they are: the first anchor the service writes is a cut-over
 *   that signs their head once, and from then on only keyed entries may follow (libs/tenancy audit-log.ts).
 * - audit_anchors: the chain's head signed at least hourly, outside the audit table; append-only like it.
 * - tenant_purges.audit_head: the signed head when the purge certificate was written (R-P4).
 */
export class AuditChainKeyed1765410000005 implements MigrationInterface {
  name = 'AuditChainKeyed1765410000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_log ADD COLUMN key_id text');
    await q.query(`CREATE TABLE audit_anchors (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CONSTRAINT ck_audit_anchors_kind CHECK (kind IN ('cut-over', 'scheduled')),
      seq bigint NOT NULL,
      hash text NOT NULL,
      at timestamptz NOT NULL,
      key_id text NOT NULL,
      signature text NOT NULL
    )`);
    await q.query(`CREATE UNIQUE INDEX uq_audit_anchors_cut_over ON audit_anchors (kind) WHERE kind = 'cut-over'`);
    await q.query(`CREATE FUNCTION audit_anchors_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_anchors is append-only (R-A3)'; END $$`);
    await q.query(`CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE OR DELETE ON audit_anchors
      FOR EACH ROW EXECUTE FUNCTION audit_anchors_append_only()`);
    await q.query(`CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
      FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_append_only()`);
    await q.query(`GRANT SELECT, INSERT ON audit_anchors TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE ON SEQUENCE audit_anchors_id_seq TO ${APP_ROLE}`);
    await q.query('ALTER TABLE tenant_purges ADD COLUMN audit_head jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE tenant_purges DROP COLUMN audit_head');
    await q.query('DROP TABLE audit_anchors');
    await q.query('DROP FUNCTION audit_anchors_append_only()');
    await q.query('ALTER TABLE audit_log DROP COLUMN key_id');
  }
}
