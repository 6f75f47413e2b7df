import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TRACKING_HIT, type EventEnvelope, type TrackingHitV1 } from '@missive/contracts';
import { Metrics } from '@missive/observability';
import { RecipientLimiter, type RecipientSubject } from '@missive/redis';
import { TenantStates } from '@missive/tenancy';
import { expectKind, LinkTokenSigner, type LinkTokenClaims } from '@missive/tokens';
import { HitPublisher } from '../hits/hit-publisher';
import { truncateIp, truncateUserAgent } from '../hits/hit.rules';
import { isMachineHit } from '../hits/machine-detection.rules';
import { LinkCache } from '../links/link-cache';

/** What the link host knows of a request; the full IP never leaves the handler (R-K4). */
export interface HitRequest {
  method: string;
  ip: string | undefined;
  userAgent: string | undefined;
}

type TrackedClaims = LinkTokenClaims & { campaignId: string };

/**
 * The link host's decisions (R-K1..K5): verify the token, find the link, publish the hit, and only then let the
 * route answer. Nothing here touches PostgreSQL.
 */
@Injectable()
export class LinkHostService {
  constructor(
    private readonly signer: LinkTokenSigner,
    private readonly publisher: HitPublisher,
    private readonly links: LinkCache,
    private readonly metrics: Metrics,
    private readonly states: TenantStates,
    private readonly limiter: RecipientLimiter,
  ) {}

  /**
   * Records an open for a valid open token, once per replay window and within the per-IP and per-token limits
   * (R-X6); for anything else records nothing but takes as long (R-K2: the answer is the same GIF either way, so
   * neither its bytes nor its timing tell a valid token, a replay or a limited client from a forged token). Every
   * path makes one limiter round trip and waits for a batch.
   */
  async open(token: string, request: HitRequest): Promise<void> {
    const claims = this.tracked(expectKind(this.signer.verify(token), 'open'));
    if (!claims) {
      this.metrics.trackingInvalidTokens.inc({ route: 'open' });
      await this.limiter.check('open', request.ip, null);
      await this.publisher.decoy();
      return;
    }
    // R-P6: a purged tenant's old pixel gets the same GIF, and no hit is published.
    if (this.purged(claims.tenantId)) {
      await this.limiter.check('open', request.ip, null);
      await this.publisher.decoy();
      return;
    }
    const machine = isMachineHit(request);
    if (await this.mayRecord(claims, request, machine)) await this.publish(claims, request, machine);
    else await this.publisher.decoy();
  }

  /**
   * The URL to redirect to for a valid click token whose campaign registered that link, after the click is
   * durable; null (a 404) for anything else (R-K3). The URL comes only from the registered links, never from the
   * request.
   */
  async click(token: string, request: HitRequest): Promise<string | null> {
    const claims = this.tracked(expectKind(this.signer.verify(token), 'click'));
    const url = claims
      ? await this.links.find(claims.region, claims.tenantId, claims.campaignId, claims.linkIndex!)
      : null;
    if (!claims || url === null) {
      this.metrics.trackingInvalidTokens.inc({ route: 'click' });
      await this.limiter.check('click', request.ip, null);
      return null;
    }
    if (this.purged(claims.tenantId)) return null;
    // R-X6: a replayed or rate-limited click still redirects; it is not recorded again.
    const machine = isMachineHit(request);
    if (await this.mayRecord(claims, request, machine)) await this.publish(claims, request, machine);
    else await this.publisher.decoy();
    return url;
  }

  /** Whether the limiter lets this hit be recorded; also when Redis did not answer (no hit is lost, R-K5). */
  private async mayRecord(claims: TrackedClaims, request: HitRequest, machine: boolean): Promise<boolean> {
    const subject: RecipientSubject = {
      region: claims.region,
      tenantId: claims.tenantId,
      route: claims.kind,
      campaignId: claims.campaignId,
      contactId: claims.contactId,
      linkIndex: claims.linkIndex ?? undefined,
      machine,
    };
    const verdict = await this.limiter.check(claims.kind, request.ip, subject);
    return verdict === 'record' || verdict === 'unchecked';
  }

  /**
   * Whether the tenant is purged (R-P6), from the cached directory: a map lookup, never a wait on the hit path
   * (the link host answers without PostgreSQL, R-K5). On a miss the state is fetched in the background and this
   * hit goes on; the consumers drop it if the tenant turns out purged. `tenant.changed` warms the cache with a
   * purge as it happens, and a purged state stays cached for a day.
   */
  private purged(tenantId: string): boolean {
    const cached = this.states.cached(tenantId);
    if (cached === undefined) {
      void this.states.purgedAmong([tenantId]).catch(() => undefined);
      return false;
    }
    return cached?.status === 'purged';
  }

  /** Claims that can be recorded here: tied to a campaign, of a region this instance serves. */
  private tracked(claims: LinkTokenClaims | null): TrackedClaims | null {
    return claims && claims.campaignId !== null && this.publisher.serves(claims.region)
      ? (claims as TrackedClaims)
      : null;
  }

  private async publish(claims: TrackedClaims, request: HitRequest, machine: boolean): Promise<void> {
    const at = new Date().toISOString();
    const data: TrackingHitV1 = {
      campaignId: claims.campaignId,
      contactId: claims.contactId,
      kind: claims.kind as 'open' | 'click',
      ...(claims.kind === 'click' ? { linkIndex: claims.linkIndex } : {}),
      at,
      ipTruncated: truncateIp(request.ip),
      userAgent: truncateUserAgent(request.userAgent),
      machine,
    };
    const envelope: EventEnvelope<TrackingHitV1> = {
      id: randomUUID(),
      type: TRACKING_HIT,
      version: 1,
      tenantId: claims.tenantId,
      region: claims.region,
      occurredAt: at,
      data,
    };
    await this.publisher.publish(claims.region, claims.campaignId, JSON.stringify(envelope));
  }
}
