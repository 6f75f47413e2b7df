import { randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import {
  TRACKING_HIT,
  type EventEnvelope,
  type Region,
  type TrackingHitPersonalV1,
  type TrackingHitV2,
} from '@missive/contracts';
import { Metrics } from '@missive/observability';
import { RecipientLimiter, type RecipientSubject } from '@missive/redis';
import { TenantStates } from '@missive/tenancy';
import { sealForContact, TenantKeys } from '@missive/tenant-keys';
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
 * A hit whose contact key was not cached is published once the key is read, or after this long without it (and then
 * with nothing personal): the background read of one batched query normally takes a few milliseconds.
 */
const KEY_READ_BUDGET_MS = 500;

/**
 * The link host's decisions (R-K1..K5): verify the token, find the link, publish the hit, and only then let the
 * route answer. Nothing on the request path touches PostgreSQL.
 *
 * R-D1: the hit's IP and user agent travel sealed with the contact's own key, so an erasure reaches them at once.
 * The key comes from this process's cache (60 s at most, evicted on `contact.erased`). On a miss the request does not
 * wait for PostgreSQL: the key is read in the background (one query per tenant and event-loop turn) and the hit is
 * published as soon as it is sealed, while the request answers after the same batch wait as any other (R-K2). Hits
 * deferred so are flushed before shutdown (R-X4); a hit whose contact has no key (erased, or older than contact keys)
 * keeps nothing personal. Sealing with a per-tenant ephemeral key instead would keep the answer after durability
 * on a miss, but would leave the person's IP readable in Kafka after an erasure for as long as that key lives.
 */
@Injectable()
export class LinkHostService implements BeforeApplicationShutdown {
  /** Hits waiting for their contact's key to be read, to flush before shutdown. */
  private readonly deferred = new Set<Promise<unknown>>();

  constructor(
    private readonly signer: LinkTokenSigner,
    private readonly publisher: HitPublisher,
    private readonly links: LinkCache,
    private readonly metrics: Metrics,
    private readonly states: TenantStates,
    private readonly limiter: RecipientLimiter,
    private readonly keys: TenantKeys,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    while (this.deferred.size > 0) await Promise.allSettled([...this.deferred]);
  }

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
    // R-K4: truncated here, before anything is sealed, published or logged.
    const personal: TrackingHitPersonalV1 = {
      ipTruncated: truncateIp(request.ip),
      userAgent: truncateUserAgent(request.userAgent),
    };
    const hit = (key: Buffer | null): string => {
      const data: TrackingHitV2 = {
        campaignId: claims.campaignId,
        contactId: claims.contactId,
        kind: claims.kind as 'open' | 'click',
        ...(claims.kind === 'click' ? { linkIndex: claims.linkIndex } : {}),
        at,
        personal: key ? sealForContact(key, claims.tenantId, claims.contactId, personal) : null,
        machine,
      };
      const envelope: EventEnvelope<TrackingHitV2> = {
        id: randomUUID(),
        type: TRACKING_HIT,
        version: 2,
        tenantId: claims.tenantId,
        region: claims.region,
        occurredAt: at,
        data,
      };
      return JSON.stringify(envelope);
    };
    const cached = this.keys.cachedContactKey(claims.tenantId, claims.contactId);
    if (cached !== undefined) {
      await this.publisher.publish(claims.region, claims.campaignId, hit(cached));
      return;
    }
    this.publishWhenKeyed(claims.region, claims, hit);
    await this.publisher.decoy();
  }

  /** Publishes a hit once its contact's key is read in the background (or without it, past the budget). */
  private publishWhenKeyed(region: Region, claims: TrackedClaims, hit: (key: Buffer | null) => string): void {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), KEY_READ_BUDGET_MS);
    });
    const published = Promise.race([this.keys.contactKeySoon(region, claims.tenantId, claims.contactId), budget])
      .then((key) => this.publisher.publish(region, claims.campaignId, hit(key)))
      .finally(() => {
        clearTimeout(timer);
        this.deferred.delete(published);
      });
    this.deferred.add(published);
  }
}
