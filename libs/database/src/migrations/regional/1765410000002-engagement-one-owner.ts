import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/** The tables whose counts change meaning: "opens" and "clicks" become the human hits only. */
const TRACKING_COUNTS = ['tracking_campaign_stats', 'tracking_contact_engagement'];

/**
 * Engagement has one owner (R-K4, R-S7): tracking counts after its blocks and anonymisation and publishes each
 * campaign's counts (`campaign.engagement-counted`); the campaigns service keeps them in campaign_engagement
 * without any contact id. So campaigns' per-contact table goes, and campaign_engagement remembers the revision it
 * holds, so a replayed or late event never overwrites newer counts. Tracking's opens and clicks counted machine
 * hits too; they now mean the person's hits, with machine hits beside them, as the report always showed them.
 */
export class EngagementOneOwner1765410000002 implements MigrationInterface {
  name = 'EngagementOneOwner1765410000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaign_engagement_contacts');
    // A purge stopped inside the dropped table would wait for it forever; its rows are gone with it.
    await q.query(`UPDATE purge_progress SET done = true WHERE store LIKE 'postgres.%.campaign_engagement_contacts'`);
    await q.query('ALTER TABLE campaign_engagement ADD COLUMN counted_revision bigint NOT NULL DEFAULT 0');

    await q.query('ALTER TABLE tracking_campaign_stats ADD COLUMN revision bigint NOT NULL DEFAULT 0');
    for (const table of TRACKING_COUNTS) {
      // Every tenant's rows at once: the owner is under the tenant policy too (FORCE), until this transaction ends.
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`UPDATE ${table} SET opens = opens - machine_opens, clicks = clicks - machine_clicks`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TRACKING_COUNTS) {
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`UPDATE ${table} SET opens = opens + machine_opens, clicks = clicks + machine_clicks`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
    await q.query('ALTER TABLE tracking_campaign_stats DROP COLUMN revision');
    await q.query('ALTER TABLE campaign_engagement DROP COLUMN counted_revision');
    await q.query(`CREATE TABLE campaign_engagement_contacts (
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      opened boolean NOT NULL DEFAULT false,
      clicked boolean NOT NULL DEFAULT false,
      CONSTRAINT pk_campaign_engagement_contacts PRIMARY KEY (campaign_id, contact_id)
    )`);
    for (const sql of tenantRlsSql('campaign_engagement_contacts')) await q.query(sql);
  }
}
