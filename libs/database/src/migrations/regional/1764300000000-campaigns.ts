import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '../../tenant-rls';

/**
 * The campaigns service's tables (R-S1..S7), all tenant tables under RLS (R-T1):
 * - campaigns: the campaign, its prepared HTML (links replaced by variables) and its links (R-K3);
 * - campaign_contacts: the service's own projection of contacts, fed by contact events (it never reads the
 *   contacts service's tables), holding exactly what the send gate and the templates need;
 * - campaign_deliveries: the delivery ledger, one row per (campaign, contact) ever (R-S6): pending → sending →
 *   sent | skipped | failed | bounced, and `unknown` for a message whose outcome a crash hid;
 * - campaign_engagement(_contacts): report counters fed by tracking and unsubscribe events (R-S7).
 */
export class Campaigns1764300000000 implements MigrationInterface {
  name = 'Campaigns1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE campaigns (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      name text NOT NULL,
      subject text NOT NULL,
      from_email text NOT NULL,
      from_name text,
      html text NOT NULL,
      text_body text,
      links jsonb NOT NULL DEFAULT '[]',
      audience jsonb NOT NULL,
      track_opens boolean NOT NULL DEFAULT true,
      track_clicks boolean NOT NULL DEFAULT true,
      send_at timestamptz,
      status text NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
      audience_size integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`);
    await q.query('CREATE INDEX idx_campaigns_tenant_created ON campaigns (tenant_id, created_at)');

    await q.query(`CREATE TABLE campaign_contacts (
      tenant_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      email text NOT NULL,
      region text NOT NULL CHECK (region IN ('NA', 'EEA')),
      lawful_basis text NOT NULL,
      status text NOT NULL,
      consent_withdrawn boolean NOT NULL DEFAULT false,
      objected boolean NOT NULL DEFAULT false,
      tracking_consent boolean NOT NULL DEFAULT false,
      birth_date date,
      lists text[] NOT NULL DEFAULT '{}',
      tags text[] NOT NULL DEFAULT '{}',
      variables jsonb NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_campaign_contacts PRIMARY KEY (tenant_id, contact_id)
    )`);
    await q.query('CREATE INDEX idx_campaign_contacts_lists ON campaign_contacts USING gin (lists)');
    await q.query('CREATE INDEX idx_campaign_contacts_tags ON campaign_contacts USING gin (tags)');

    await q.query(`CREATE TABLE campaign_deliveries (
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      state text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'skipped', 'failed', 'bounced', 'unknown')),
      reason text,
      message_id text,
      attempts integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_campaign_deliveries PRIMARY KEY (campaign_id, contact_id)
    )`);
    await q.query('CREATE INDEX idx_campaign_deliveries_state ON campaign_deliveries (campaign_id, state)');

    await q.query(`CREATE TABLE campaign_engagement (
      tenant_id uuid NOT NULL,
      campaign_id uuid PRIMARY KEY,
      opens integer NOT NULL DEFAULT 0,
      unique_opens integer NOT NULL DEFAULT 0,
      machine_opens integer NOT NULL DEFAULT 0,
      clicks integer NOT NULL DEFAULT 0,
      unique_clicks integer NOT NULL DEFAULT 0,
      unsubscribes integer NOT NULL DEFAULT 0
    )`);
    await q.query(`CREATE TABLE campaign_engagement_contacts (
      tenant_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      contact_id uuid NOT NULL,
      opened boolean NOT NULL DEFAULT false,
      clicked boolean NOT NULL DEFAULT false,
      CONSTRAINT pk_campaign_engagement_contacts PRIMARY KEY (campaign_id, contact_id)
    )`);

    for (const table of [
      'campaigns',
      'campaign_contacts',
      'campaign_deliveries',
      'campaign_engagement',
      'campaign_engagement_contacts',
    ]) {
      for (const sql of tenantRlsSql(table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'DROP TABLE campaign_engagement_contacts, campaign_engagement, campaign_deliveries, campaign_contacts, campaigns',
    );
  }
}
