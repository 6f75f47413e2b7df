import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface CampaignLinks {
  tenantId: string;
  campaignId: string;
  links: { index: number; url: string }[];
}

/** The record of each campaign's links (R-K3). The click path never reads it (R-K5); Redis serves the clicks. */
@Injectable()
export class LinksRepository {
  /** Upserts the links of one tenant's campaigns; a later registration of an index replaces its URL. */
  async save(manager: EntityManager, tenantId: string, campaigns: CampaignLinks[]): Promise<void> {
    const latest = new Map<string, { campaignId: string; index: number; url: string }>();
    for (const c of campaigns) {
      for (const l of c.links) latest.set(`${c.campaignId}:${l.index}`, { campaignId: c.campaignId, ...l });
    }
    const rows = [...latest.values()];
    await manager.query(
      `INSERT INTO tracking_links (tenant_id, campaign_id, link_index, url)
       SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::text[])
       ON CONFLICT (tenant_id, campaign_id, link_index) DO UPDATE SET url = EXCLUDED.url, registered_at = now()`,
      [tenantId, rows.map((r) => r.campaignId), rows.map((r) => r.index), rows.map((r) => r.url)],
    );
  }
}
