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

export const TRACKING_HIT = 'tracking.hit';
