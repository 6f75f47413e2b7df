/**
 * `tracking.hit` (v1): one open-pixel fetch or click-redirect by a valid link token (R-K4), published by the link
 * host before it answers (R-K5). The envelope id is the hit id (consumers dedupe on it); the tenant is the
 * envelope's. Ids only: the IP is already truncated (IPv4 /24, IPv6 /48) and the user agent cut to 256 characters.
 * Key: the campaign id, so one campaign's hits stay in one partition.
 */
export interface TrackingHitV1 {
  campaignId: string;
  contactId: string;
  kind: 'open' | 'click';
  /** Click hits only. */
  linkIndex?: number;
  /** ISO-8601 time the link host received the request. */
  at: string;
  ipTruncated: string | null;
  userAgent: string | null;
  /** Apple Mail Privacy Protection, a link scanner or a prefetcher rather than a person. */
  machine: boolean;
}

/** The personal part of a hit (R-K4), travelling only sealed with the contact's own key. */
export interface TrackingHitPersonalV1 {
  ipTruncated: string | null;
  userAgent: string | null;
}

/**
 * `tracking.hit` v2: v1 with the IP (already truncated) and user agent sealed with the contact's own key (R-D1:
 * unreadable once the contact is erased) in `personal`, opened with TenantKeys.open. `personal` is null when the
 * link host had no key for the contact at hand (it never waits for one, R-K5): that hit keeps nothing personal.
 */
export interface TrackingHitV2 extends Omit<TrackingHitV1, 'ipTruncated' | 'userAgent'> {
  personal: string | null;
}

export const TRACKING_HIT = 'tracking.hit';
