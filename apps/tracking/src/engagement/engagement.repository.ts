import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoredHit } from './engagement.rules';

interface CampaignDelta {
  opens: number;
  machineOpens: number;
  clicks: number;
  machineClicks: number;
  uniqueOpens: number;
  uniqueClicks: number;
}

/**
 * The aggregation's writes (R-K4, R-S7), set-based: one statement each for the hits, the per-contact engagement
 * and the campaign counters of one tenant's share of a batch. Runs in the consumer's inbox transaction after
 * `app.tenant_id` is set (row-level security, R-T1).
 */
@Injectable()
export class EngagementRepository {
  /**
   * Stores the hits and adds them to the counters. A hit id already stored is skipped, so even a replay past the
   * inbox counts once. Unique opens and clicks count a contact's first human (non-machine) hit per campaign.
   */
  async record(manager: EntityManager, tenantId: string, hits: StoredHit[]): Promise<number> {
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
    if (stored.length === 0) return 0;

    const deltas = new Map<string, CampaignDelta>();
    for (const h of stored) {
      let d = deltas.get(h.campaignId);
      if (!d) {
        d = { opens: 0, machineOpens: 0, clicks: 0, machineClicks: 0, uniqueOpens: 0, uniqueClicks: 0 };
        deltas.set(h.campaignId, d);
      }
      if (h.kind === 'open') {
        d.opens++;
        if (h.machine) d.machineOpens++;
      } else {
        d.clicks++;
        if (h.machine) d.machineClicks++;
      }
    }
    for (const u of await this.upsertEngagement(manager, tenantId, stored)) {
      const d = deltas.get(u.campaign_id)!;
      d.uniqueOpens += u.unique_opens;
      d.uniqueClicks += u.unique_clicks;
    }
    await this.addToCampaigns(manager, tenantId, deltas);
    return stored.length;
  }

  /**
   * Adds the hits of known contacts to their engagement rows and returns, per campaign, how many contacts had
   * their first human open or click in this batch. `prev` reads the rows as they were before the upsert (one
   * snapshot for the whole statement; PostgreSQL runs the data-modifying `up` whether or not it is read). A
   * campaign's hits are one partition's (keyed by campaign), so no other transaction races on these rows.
   */
  private upsertEngagement(
    manager: EntityManager,
    tenantId: string,
    hits: StoredHit[],
  ): Promise<{ campaign_id: string; unique_opens: number; unique_clicks: number }[]> {
    const linked = hits.filter((h) => h.contactId !== null);
    if (linked.length === 0) return Promise.resolve([]);
    return manager.query(
      `WITH h AS (
         SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::bool[])
           AS t(campaign_id, contact_id, kind, at, machine)
       ), agg AS (
         SELECT campaign_id, contact_id,
                count(*) FILTER (WHERE kind = 'open')::int AS opens,
                count(*) FILTER (WHERE kind = 'open' AND machine)::int AS machine_opens,
                count(*) FILTER (WHERE kind = 'click')::int AS clicks,
                count(*) FILTER (WHERE kind = 'click' AND machine)::int AS machine_clicks,
                min(at) FILTER (WHERE kind = 'open' AND NOT machine) AS first_open_at,
                min(at) FILTER (WHERE kind = 'click' AND NOT machine) AS first_click_at,
                max(at) AS last_hit_at
         FROM h GROUP BY campaign_id, contact_id
       ), prev AS (
         SELECT e.campaign_id, e.contact_id, e.first_open_at, e.first_click_at
         FROM tracking_contact_engagement e
         JOIN agg a ON a.campaign_id = e.campaign_id AND a.contact_id = e.contact_id
         WHERE e.tenant_id = $1
       ), up AS (
         INSERT INTO tracking_contact_engagement AS e
           (tenant_id, campaign_id, contact_id, opens, machine_opens, clicks, machine_clicks,
            first_open_at, first_click_at, last_hit_at)
         SELECT $1, campaign_id, contact_id, opens, machine_opens, clicks, machine_clicks,
                first_open_at, first_click_at, last_hit_at
         FROM agg ORDER BY campaign_id, contact_id
         ON CONFLICT (tenant_id, campaign_id, contact_id) DO UPDATE SET
           opens = e.opens + EXCLUDED.opens,
           machine_opens = e.machine_opens + EXCLUDED.machine_opens,
           clicks = e.clicks + EXCLUDED.clicks,
           machine_clicks = e.machine_clicks + EXCLUDED.machine_clicks,
           first_open_at = LEAST(e.first_open_at, EXCLUDED.first_open_at),
           first_click_at = LEAST(e.first_click_at, EXCLUDED.first_click_at),
           last_hit_at = GREATEST(e.last_hit_at, EXCLUDED.last_hit_at)
       )
       SELECT a.campaign_id,
              count(*) FILTER (WHERE a.first_open_at IS NOT NULL AND p.first_open_at IS NULL)::int AS unique_opens,
              count(*) FILTER (WHERE a.first_click_at IS NOT NULL AND p.first_click_at IS NULL)::int AS unique_clicks
       FROM agg a LEFT JOIN prev p ON p.campaign_id = a.campaign_id AND p.contact_id = a.contact_id
       GROUP BY a.campaign_id`,
      [
        tenantId,
        linked.map((h) => h.campaignId),
        linked.map((h) => h.contactId),
        linked.map((h) => h.kind),
        linked.map((h) => h.at),
        linked.map((h) => h.machine),
      ],
    );
  }

  private async addToCampaigns(
    manager: EntityManager,
    tenantId: string,
    deltas: Map<string, CampaignDelta>,
  ): Promise<void> {
    const campaigns = [...deltas.keys()].sort();
    const column = (pick: (d: CampaignDelta) => number) => campaigns.map((c) => pick(deltas.get(c)!));
    await manager.query(
      `INSERT INTO tracking_campaign_stats AS s
         (tenant_id, campaign_id, opens, unique_opens, machine_opens, clicks, unique_clicks, machine_clicks)
       SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])
       ON CONFLICT (tenant_id, campaign_id) DO UPDATE SET
         opens = s.opens + EXCLUDED.opens,
         unique_opens = s.unique_opens + EXCLUDED.unique_opens,
         machine_opens = s.machine_opens + EXCLUDED.machine_opens,
         clicks = s.clicks + EXCLUDED.clicks,
         unique_clicks = s.unique_clicks + EXCLUDED.unique_clicks,
         machine_clicks = s.machine_clicks + EXCLUDED.machine_clicks,
         updated_at = now()`,
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
  }
}
