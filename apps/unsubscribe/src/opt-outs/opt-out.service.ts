import { Injectable } from '@nestjs/common';
import { markOptedOut, recordOptOut, type OptOut } from '@missive/contact-domain';
import type { UnsubscribeRecordedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { Metrics } from '@missive/observability';
import { RecipientLimiter, RedisClients, type RecipientCheck } from '@missive/redis';
import { TenantStates } from '@missive/tenancy';
import { expectKind, LinkTokenSigner, type LinkTokenClaims } from '@missive/tokens';
import { AwaitingOptOuts } from './awaiting-opt-outs.repository';

export type UnsubscribeClaims = LinkTokenClaims & { kind: 'unsubscribe' };

export interface PageFacts {
  /**
   * The projection knows the contact. A validly signed token whose contact it does not know (not seen yet, or
   * erased) still gets a page without the address, and its opt-out is stored awaiting the contact (R-U2).
   */
  known: boolean;
  maskedAddress: string | null;
  /** The tenant's display name from the directory; null when the directory does not know the tenant. */
  tenantName: string | null;
  lists: string[];
  /** The contact's own locale (R-U6), null when it has none or the projection does not know the contact. */
  locale: string | null;
}

/**
 * Records opt-outs (R-U2, R-U3, R-U4): the row and its `unsubscribe.recorded` event commit together in the tenant's
 * regional database, and a full opt-out is also put in the region's opt-out set that every send gate reads, all
 * before the caller answers 200. The event then updates every projection. Repeating an opt-out changes nothing more.
 * A contact this service's projection has not seen yet does not lose its opt-out: it is stored at once, awaiting
 * the contact, and its event goes out when the contact arrives (AwaitingOptOuts).
 */
@Injectable()
export class OptOutService {
  constructor(
    private readonly signer: LinkTokenSigner,
    private readonly databases: Databases,
    private readonly redis: RedisClients,
    private readonly metrics: Metrics,
    private readonly states: TenantStates,
    private readonly limiter: RecipientLimiter,
    private readonly awaiting: AwaitingOptOuts,
  ) {}

  /** A valid unsubscribe token's claims, or null (forged, truncated, wrong kind, retired key). */
  verify(token: string): UnsubscribeClaims | null {
    return expectKind(this.signer.verify(token), 'unsubscribe');
  }

  /**
   * Counts a page view against its IP's and its token's per-minute limits (R-X6). A token that did not verify, or
   * whose tenant is purged (R-P6), counts for its IP only.
   */
  pageLimit(claims: UnsubscribeClaims | null, ip: string | undefined): Promise<RecipientCheck> {
    const live = claims && this.states.cached(claims.tenantId)?.status !== 'purged';
    return this.limiter.check(
      'unsubscribe',
      ip,
      live
        ? {
            region: claims.region,
            tenantId: claims.tenantId,
            route: 'unsubscribe-page',
            campaignId: claims.campaignId,
            contactId: claims.contactId,
          }
        : null,
    );
  }

  /** The sender's display name as cached, without waiting on the database (null when not cached). */
  cachedTenantName(tenantId: string): string | null {
    return this.states.cached(tenantId)?.name ?? null;
  }

  async pageFacts(claims: UnsubscribeClaims): Promise<PageFacts> {
    const rows: { masked_address: string; lists: string[]; locale: string | null }[] = await this.databases.withTenant(
      claims.region,
      claims.tenantId,
      (m) =>
        m.query(
          'SELECT masked_address, lists, locale FROM unsubscribe_contacts WHERE tenant_id = $1 AND contact_id = $2',
          [claims.tenantId, claims.contactId],
        ),
    );
    return {
      known: rows.length === 1,
      maskedAddress: rows[0]?.masked_address ?? null,
      lists: rows[0]?.lists ?? [],
      locale: rows[0]?.locale ?? null,
      tenantName: await this.tenantName(claims.tenantId),
    };
  }

  /** Opts the contact out of everything (lists null) or of some lists (R-U4). */
  async optOut(
    claims: UnsubscribeClaims,
    source: UnsubscribeRecordedV1['source'],
    lists: string[] | null = null,
  ): Promise<void> {
    // R-P6: a purged tenant's old links get their usual answer, and nothing is stored again.
    if ((await this.states.purgedAmong([claims.tenantId])).size > 0) return;
    await this.recordDurably(claims, source, lists);
    this.metrics.unsubscribesRecorded.inc({ region: claims.region, channel: source });
    // Before the caller's 200: no send gate claims a message to this contact from now on (R-U2).
    if (lists === null)
      await markOptedOut(this.redis.forRegion(claims.region), claims.region, claims.tenantId, claims.contactId);
  }

  private async recordDurably(
    claims: UnsubscribeClaims,
    source: UnsubscribeRecordedV1['source'],
    lists: string[] | null,
  ): Promise<void> {
    const optOut: OptOut = {
      tenantId: claims.tenantId,
      region: claims.region,
      contactId: claims.contactId,
      campaignId: claims.campaignId,
      lists,
      source,
    };
    await this.databases.withTenant(claims.region, claims.tenantId, async (m) => {
      if (await this.awaiting.contactKnown(m, claims.tenantId, claims.contactId)) return recordOptOut(m, optOut);
      // The projection is behind (or the contact is gone): decide again once no batch adding contacts is in flight.
      await this.awaiting.excludeArrivals(m, claims.tenantId);
      if (await this.awaiting.contactKnown(m, claims.tenantId, claims.contactId)) return recordOptOut(m, optOut);
      return this.awaiting.record(m, optOut);
    });
  }

  private async tenantName(tenantId: string): Promise<string | null> {
    return (await this.states.get(tenantId))?.name ?? null;
  }
}
