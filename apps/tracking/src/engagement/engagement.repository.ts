import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  engagedKey,
  engagementOf,
  type ContactEngagementDelta,
  type EngagementCounts,
} from './engagement-counts.rules';
import type { StoredHit } from './engagement.rules';

/** A campaign's counts as they stand after a batch: what `campaign.engagement-counted` publishes. */
export interface CampaignCounts extends EngagementCounts {
  campaignId: string;
  revision: number;
  countedAt: string;
}

/** bigint columns: the driver returns them as strings. */
interface CampaignStatsRow {
  campaign_id: string;
  opens: string;
  unique_opens: string;
  machine_opens: string;
  clicks: string;
  unique_clicks: string;
  machine_clicks: string;
  revision: string;
  updated_at: Date;
}

/**
 * The aggregation's writes (R-K4, R-S7), set-based: the hits, the per-contact engagement and the campaign counts
 * of one tenant's share of a batch, with the counts defined once in engagement-counts.rules. Runs in the
 * consumer's transaction after `app.tenant_id` is set (row-level security, R-T1).
 */
@Injectable()
export class EngagementRepository {
  /**
   * Stores the hits and adds them to the counts; returns the counts of every campaign that changed. A hit id
   * already stored is skipped, so a redelivery counts once. A campaign's hits are one partition's (keyed by
   * campaign), so no other transaction races on its engagement rows between the read and the writes.
   */
  async record(manager: EntityManager, tenantId: string, hits: StoredHit[]): Promise<CampaignCounts[]> {
    const inserted: { hit_id: string }[] = await manager.query(
      `INSERT INTO tracking_hits
         (hit_id, tenant_id, campaign_id, contact_id, kind, link_index, at, ip_truncated, user_agent, machine)
       SELECT h.hit_id, $1, h.campaign_id, h.contact_id, h.kind, h.link_index, h.at, h.ip, h.ua, h.machine
       FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::timestamptz[], $8::text[],
                   $9::text[], $10::bool[])
         AS h(hit_id, campaign_id, contact_id, kind, link_index, at, ip, ua, machine)
       ON CONFLICT (hit_id) DO NOTHING
       RETURNING hit_id`,
      [
        tenantId,
        hits.map((h) => h.hitId),
        hits.map((h) => h.campaignId),
        hits.map((h) => h.contactId),
        hits.map((h) => h.kind),
        hits.map((h) => h.linkIndex),
        hits.map((h) => h.at),
        hits.map((h) => h.ipTruncated),
        hits.map((h) => h.userAgent),
        hits.map((h) => h.machine),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.hit_id));
    const stored = hits.filter((h) => fresh.has(h.hitId));
    if (stored.length === 0) return [];

    const batch = engagementOf(stored, await this.engagedBefore(manager, tenantId, stored));
    await this.addToContacts(manager, tenantId, batch.contacts);
    return this.addToCampaigns(manager, tenantId, batch.campaigns);
  }

  /** The `engagedKey`s of the batch's contacts who already had a human open or click of the campaign. */
  private async engagedBefore(manager: EntityManager, tenantId: string, hits: StoredHit[]): Promise<Set<string>> {
    const linked = hits.filter((h) => h.contactId !== null);
    if (linked.length === 0) return new Set();
    const rows: { campaign_id: string; contact_id: string; opened: boolean; clicked: boolean }[] = await manager.query(
      `SELECT e.campaign_id, e.contact_id, e.first_open_at IS NOT NULL AS opened,
                e.first_click_at IS NOT NULL AS clicked
         FROM tracking_contact_engagement e
         JOIN (SELECT DISTINCT * FROM unnest($2::uuid[], $3::uuid[])) AS p(campaign_id, contact_id)
           ON p.campaign_id = e.campaign_id AND p.contact_id = e.contact_id
         WHERE e.tenant_id = $1`,
      [tenantId, linked.map((h) => h.campaignId), linked.map((h) => h.contactId)],
    );
    const keys = new Set<string>();
    for (const r of rows) {
      if (r.opened) keys.add(engagedKey(r.campaign_id, r.contact_id, 'open'));
      if (r.clicked) keys.add(engagedKey(r.campaign_id, r.contact_id, 'click'));
    }
    return keys;
  }

  private async addToContacts(manager: EntityManager, tenantId: string, rows: ContactEngagementDelta[]) {
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) =>
      a.campaignId === b.campaignId ? a.contactId.localeCompare(b.contactId) : a.campaignId.localeCompare(b.campaignId),
    );
    await manager.query(
      `INSERT INTO tracking_contact_engagement AS e
         (tenant_id, campaign_id, contact_id, opens, machine_opens, clicks, machine_clicks,
          first_open_at, first_click_at, last_hit_at)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::int[], $6::int[], $7::int[],
                                $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
       ON CONFLICT (tenant_id, campaign_id, contact_id) DO UPDATE SET
         opens = e.opens + EXCLUDED.opens,
         machine_opens = e.machine_opens + EXCLUDED.machine_opens,
         clicks = e.clicks + EXCLUDED.clicks,
         machine_clicks = e.machine_clicks + EXCLUDED.machine_clicks,
         first_open_at = LEAST(e.first_open_at, EXCLUDED.first_open_at),
         first_click_at = LEAST(e.first_click_at, EXCLUDED.first_click_at),
         last_hit_at = GREATEST(e.last_hit_at, EXCLUDED.last_hit_at)`,
      [
        tenantId,
        sorted.map((r) => r.campaignId),
        sorted.map((r) => r.contactId),
        sorted.map((r) => r.opens),
        sorted.map((r) => r.machineOpens),
        sorted.map((r) => r.clicks),
        sorted.map((r) => r.machineClicks),
        sorted.map((r) => r.firstOpenAt),
        sorted.map((r) => r.firstClickAt),
        sorted.map((r) => r.lastHitAt),
      ],
    );
  }

  /** Adds the batch to the campaigns' counts, one revision more each, and returns the counts as they now stand. */
  private async addToCampaigns(
    manager: EntityManager,
    tenantId: string,
    added: Map<string, EngagementCounts>,
  ): Promise<CampaignCounts[]> {
    const campaigns = [...added.keys()].sort();
    const column = (pick: (d: EngagementCounts) => number) => campaigns.map((c) => pick(added.get(c)!));
    const rows: CampaignStatsRow[] = await manager.query(
      `INSERT INTO tracking_campaign_stats AS s
         (tenant_id, campaign_id, opens, unique_opens, machine_opens, clicks, unique_clicks, machine_clicks, revision)
       SELECT $1, *, 1 FROM unnest($2::uuid[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])
       ON CONFLICT (tenant_id, campaign_id) DO UPDATE SET
         opens = s.opens + EXCLUDED.opens,
         unique_opens = s.unique_opens + EXCLUDED.unique_opens,
         machine_opens = s.machine_opens + EXCLUDED.machine_opens,
         clicks = s.clicks + EXCLUDED.clicks,
         unique_clicks = s.unique_clicks + EXCLUDED.unique_clicks,
         machine_clicks = s.machine_clicks + EXCLUDED.machine_clicks,
         revision = s.revision + 1,
         updated_at = now()
       RETURNING campaign_id, opens, unique_opens, machine_opens, clicks, unique_clicks, machine_clicks, revision,
                 updated_at`,
      [
        tenantId,
        campaigns,
        column((d) => d.opens),
        column((d) => d.uniqueOpens),
        column((d) => d.machineOpens),
        column((d) => d.clicks),
        column((d) => d.uniqueClicks),
        column((d) => d.machineClicks),
      ],
    );
    return rows.map((r) => ({
      campaignId: r.campaign_id,
      revision: Number(r.revision),
      countedAt: r.updated_at.toISOString(),
      opens: Number(r.opens),
      uniqueOpens: Number(r.unique_opens),
      machineOpens: Number(r.machine_opens),
      clicks: Number(r.clicks),
      uniqueClicks: Number(r.unique_clicks),
      machineClicks: Number(r.machine_clicks),
    }));
  }
}
