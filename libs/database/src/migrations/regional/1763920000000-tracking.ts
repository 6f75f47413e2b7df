import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

const TENANT_TABLES = [
  'tracking_links',
  'tracking_hits',
  'tracking_contact_engagement',
  'tracking_campaign_stats',
  'tracking_blocked_contacts',
];

/**
 * The tracking service's regional tables (R-K3, R-K4), each under tenant row-level security (R-T1). The link host
 * itself never reads them (R-K5): the click path reads the links from Redis, and the hits arrive through Kafka.
 */
export class Tracking1763920000000 implements MigrationInterface {
  name = 'Tracking1763920000000';

  async up(q: QueryRunner): Promise<void> {
    // Where each click token's link index redirects (R-K3); fed by campaign.links-registered.
    await q.query(`CREATE TABLE tracking_links (
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      link_index integer NOT NULL,
      url text NOT NULL,
      registered_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_tracking_links PRIMARY KEY (tenant_id, campaign_id, link_index)
    )`);
    // One row per recorded hit (R-K4). contact_id, ip_truncated and user_agent are NULL for a blocked contact.
    await q.query(`CREATE TABLE tracking_hits (
      hit_id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      contact_id uuid,
      kind text NOT NULL CONSTRAINT chk_tracking_hits_kind CHECK (kind IN ('open', 'click')),
      link_index integer,
      at timestamptz NOT NULL,
      ip_truncated text,
      user_agent text,
      machine boolean NOT NULL,
      CONSTRAINT pk_tracking_hits PRIMARY KEY (hit_id)
    )`);
    await q.query(`CREATE INDEX idx_tracking_hits_campaign ON tracking_hits (tenant_id, campaign_id)`);
    await q.query(
      `CREATE INDEX idx_tracking_hits_contact ON tracking_hits (tenant_id, contact_id) WHERE contact_id IS NOT NULL`,
    );
    // Per contact and campaign; first_*_at are the first human (non-machine) hits, which make the unique counts.
    await q.query(`CREATE TABLE tracking_contact_engagement (
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      opens integer NOT NULL DEFAULT 0,
      machine_opens integer NOT NULL DEFAULT 0,
      clicks integer NOT NULL DEFAULT 0,
      machine_clicks integer NOT NULL DEFAULT 0,
      first_open_at timestamptz,
      first_click_at timestamptz,
      last_hit_at timestamptz NOT NULL,
      CONSTRAINT pk_tracking_contact_engagement PRIMARY KEY (tenant_id, campaign_id, contact_id)
    )`);
    await q.query(
      `CREATE INDEX idx_tracking_contact_engagement_contact ON tracking_contact_engagement (tenant_id, contact_id)`,
    );
    // Anonymous campaign aggregates (R-S7, R-P6): what the campaign report reads.
    await q.query(`CREATE TABLE tracking_campaign_stats (
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      opens bigint NOT NULL DEFAULT 0,
      unique_opens bigint NOT NULL DEFAULT 0,
      machine_opens bigint NOT NULL DEFAULT 0,
      clicks bigint NOT NULL DEFAULT 0,
      unique_clicks bigint NOT NULL DEFAULT 0,
      machine_clicks bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_tracking_campaign_stats PRIMARY KEY (tenant_id, campaign_id)
    )`);
    // Contacts whose hits must store nothing linked to them (R-K4): erased, opted out, restricted.
    await q.query(`CREATE TABLE tracking_blocked_contacts (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      reason text NOT NULL CONSTRAINT chk_tracking_blocked_contacts_reason
        CHECK (reason IN ('erased', 'unsubscribed', 'restricted')),
      blocked_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_tracking_blocked_contacts PRIMARY KEY (tenant_id, contact_id)
    )`);
    for (const table of TENANT_TABLES) for (const sql of tenantRlsSql(table)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TENANT_TABLES].reverse()) await q.query(`DROP TABLE ${table}`);
  }
}
