import { Injectable } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { RedisClients } from '@missive/redis';
import { campaignLinksKey } from './links.rules';

/** Campaigns whose links are kept in process (most recently used first out of the door). */
const MAX_CAMPAIGNS = 10000;
/** A campaign's links are re-read from Redis after this, so a re-registration reaches every instance. */
const TTL_MS = 30000;
/** An unknown campaign is asked again this soon (its links may be registered any moment). */
const MISSING_TTL_MS = 1000;

interface Entry {
  links: Map<number, string> | null;
  expiresAt: number;
}

/**
 * The click path's view of the campaign links (R-K3): an in-process LRU in front of the region's Redis hash, never
 * PostgreSQL (R-K5). Concurrent misses for one campaign share a single Redis round trip.
 */
@Injectable()
export class LinkCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(private readonly redis: RedisClients) {}

  /** The URL of a campaign's link, or null if the campaign registered none under that index. */
  async find(region: Region, tenantId: string, campaignId: string, index: number): Promise<string | null> {
    const key = campaignLinksKey(region, tenantId, campaignId);
    let entry = this.entries.get(key);
    if (entry && entry.expiresAt > Date.now()) {
      this.entries.delete(key); // re-insert: Map order is the LRU order
      this.entries.set(key, entry);
    } else {
      entry = await this.load(region, key);
    }
    return entry.links?.get(index) ?? null;
  }

  /** Drops a campaign's cached links (after this instance registered new ones). */
  forget(region: Region, tenantId: string, campaignId: string): void {
    this.entries.delete(campaignLinksKey(region, tenantId, campaignId));
  }

  private load(region: Region, key: string): Promise<Entry> {
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.redis
        .forRegion(region)
        .hgetall(key)
        .then((hash) => {
          const links = new Map<number, string>();
          for (const [field, url] of Object.entries(hash)) links.set(Number(field), url);
          const entry: Entry = {
            links: links.size > 0 ? links : null,
            expiresAt: Date.now() + (links.size > 0 ? TTL_MS : MISSING_TTL_MS),
          };
          this.entries.set(key, entry);
          if (this.entries.size > MAX_CAMPAIGNS) this.entries.delete(this.entries.keys().next().value!);
          return entry;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }
}
