/**
 * What the aggregation stores for a hit (R-K4, R-S7): the hit as published, or — for a contact who was erased,
 * opted out or is restricted — only what the anonymous campaign counts need, with nothing linked to the person.
 */
import type { EventEnvelope, TrackingHitPersonalV1, TrackingHitV1, TrackingHitV2 } from '@missive/contracts';
import { isUuid } from '@missive/tokens';

export interface StoredHit {
  hitId: string;
  campaignId: string;
  /** null: the contact is blocked, and the hit only counts in the campaign totals. */
  contactId: string | null;
  kind: 'open' | 'click';
  linkIndex: number | null;
  at: string;
  ipTruncated: string | null;
  userAgent: string | null;
  machine: boolean;
}

/** The hit of a `tracking.hit` envelope, or null for one that is not well-formed (it is skipped). */
export function hitOf(
  envelope: EventEnvelope<TrackingHitV1 | TrackingHitV2>,
): (StoredHit & { tenantId: string }) | null {
  return openedHitOf(envelope, null);
}

/**
 * `hitOf` for a hit whose sealed part was opened: a v2 hit's IP and user agent are what the caller opened of its
 * `personal` (TenantKeys.openAll), nothing when the contact was erased or the link host had no key for it (R-D1);
 * v1 carried them in clear.
 */
export function openedHitOf(
  envelope: EventEnvelope<TrackingHitV1 | TrackingHitV2>,
  opened: TrackingHitPersonalV1 | null,
): (StoredHit & { tenantId: string }) | null {
  const d = envelope.data;
  if (!isUuid(envelope.id) || typeof envelope.tenantId !== 'string' || !isUuid(envelope.tenantId)) return null;
  if (!d || !isUuid(d.campaignId) || !isUuid(d.contactId)) return null;
  if (d.kind !== 'open' && d.kind !== 'click') return null;
  if (Number.isNaN(Date.parse(d.at))) return null;
  return {
    tenantId: envelope.tenantId,
    hitId: envelope.id,
    campaignId: d.campaignId,
    contactId: d.contactId,
    kind: d.kind,
    linkIndex: d.kind === 'click' && Number.isInteger(d.linkIndex) ? (d.linkIndex as number) : null,
    at: d.at,
    ...personalOf(envelope.version === 1 ? (d as Partial<TrackingHitPersonalV1>) : opened),
    machine: d.machine === true,
  };
}

function personalOf(p: Partial<TrackingHitPersonalV1> | null | undefined): TrackingHitPersonalV1 {
  return {
    ipTruncated: typeof p?.ipTruncated === 'string' ? p.ipTruncated : null,
    userAgent: typeof p?.userAgent === 'string' ? p.userAgent.slice(0, 256) : null,
  };
}

/** The sealed personal part of a v2 hit, for the caller to open; null for v1 and for a hit sealed without a key. */
export function sealedPersonalOf(envelope: EventEnvelope<TrackingHitV1 | TrackingHitV2>): string | null {
  const d = envelope.data as Partial<TrackingHitV2> | null;
  return envelope.version === 2 && typeof d?.personal === 'string' ? d.personal : null;
}

/** R-K4: a blocked contact's hit keeps its campaign, kind, time and machine flag, and nothing about the person. */
export function anonymised(hit: StoredHit): StoredHit {
  return { ...hit, contactId: null, ipTruncated: null, userAgent: null };
}

/** The first occurrence of each hit id (a hit delivered twice in one batch is still one hit, R-X5). */
export function firstOfEachHit<T extends { hitId: string }>(hits: T[]): T[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    if (seen.has(h.hitId)) return false;
    seen.add(h.hitId);
    return true;
  });
}
