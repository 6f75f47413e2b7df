import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * R-C9: audience filters read the campaigns service's own projections, never another service's tables.
 * - campaign_contacts.created_at: when the projection first heard of the contact (the earliest `contact.changed`
 *   it applied; the contact's creation publishes the first one). Rows projected before this column take their
 *   `updated_at`, the oldest time the projection still knows.
 * - campaign_contact_engagement: each contact's latest human open and click, as tracking publishes them in
 *   `contact.engaged` (tracking owns engagement and leaves out the contacts whose hits it anonymises, R-K4).
 * - campaign_try_timestamptz: an attribute compared with a date is cast without failing the whole query on a
 *   value that is not a date (it then matches neither gt nor lt).
 */
export class AudienceFilters1765470000090 implements MigrationInterface {
  name = 'AudienceFilters1765470000090';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaign_contacts ADD COLUMN created_at timestamptz');
    // Every tenant's rows at once: the owner is under the tenant policy too (FORCE), until this transaction ends.
    await q.query('ALTER TABLE campaign_contacts NO FORCE ROW LEVEL SECURITY');
    await q.query('UPDATE campaign_contacts SET created_at = updated_at');
    await q.query('ALTER TABLE campaign_contacts FORCE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE campaign_contacts ALTER COLUMN created_at SET DEFAULT now()');
    await q.query('ALTER TABLE campaign_contacts ALTER COLUMN created_at SET NOT NULL');

    await q.query(`CREATE TABLE campaign_contact_engagement (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      last_opened_at timestamptz,
      last_clicked_at timestamptz,
      CONSTRAINT pk_campaign_contact_engagement PRIMARY KEY (tenant_id, contact_id)
    )`);
    for (const sql of tenantRlsSql('campaign_contact_engagement')) await q.query(sql);

    await q.query(`CREATE FUNCTION campaign_try_timestamptz(value text) RETURNS timestamptz
      LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
      BEGIN
        IF value IS NULL OR value !~ '^\\d{4}-\\d{2}-\\d{2}' THEN RETURN NULL; END IF;
        RETURN value::timestamptz;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END $$`);
    await q.query('REVOKE ALL ON FUNCTION campaign_try_timestamptz(text) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION campaign_try_timestamptz(text) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION campaign_try_timestamptz(text)');
    await q.query('DROP TABLE campaign_contact_engagement');
    await q.query('ALTER TABLE campaign_contacts DROP COLUMN created_at');
  }
}
