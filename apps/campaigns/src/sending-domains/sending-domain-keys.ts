import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { TenantKeys } from '@missive/tenant-keys';
import { SendingDomainRepository } from './sending-domain.repository';
import { domainOfEmail } from './sending-domain.rules';

/** nodemailer's per-message DKIM options. */
export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/**
 * How long a domain's key (or the fact that it has no verified one) stays in memory: a domain verified or removed
 * takes effect for messages of campaigns already sending within this time.
 */
const KEY_TTL_MS = 30_000;

/**
 * The DKIM key a campaign's messages are signed with (R-S9): that of the tenant's verified sending domain that is
 * exactly the From address's domain, so `d=` aligns with From for DMARC; none (the global DKIM_* key, if any)
 * otherwise.
 */
@Injectable()
export class SendingDomainKeys {
  private readonly cache = new LRUCache<string, DkimKey | 'none'>({ max: 10_000, ttl: KEY_TTL_MS });

  constructor(
    private readonly databases: Databases,
    private readonly domains: SendingDomainRepository,
    private readonly keys: TenantKeys,
  ) {}

  async forSender(region: Region, tenantId: string, fromEmail: string): Promise<DkimKey | undefined> {
    const domain = domainOfEmail(fromEmail);
    if (!domain) return undefined;
    const cacheKey = `${tenantId}:${domain}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached === 'none' ? undefined : cached;
    const row = await this.databases.withTenant(region, tenantId, (m) =>
      this.domains.findVerified(m, tenantId, domain),
    );
    const privateKey = row ? await this.keys.open<string>(region, tenantId, row.private_key_sealed) : null;
    const key: DkimKey | 'none' =
      row && privateKey ? { domainName: row.domain, keySelector: row.selector, privateKey } : 'none';
    this.cache.set(cacheKey, key);
    return key === 'none' ? undefined : key;
  }
}
