/**
 * Where a click may redirect (R-K3): only to the URL the campaign registered for that link index, and only to an
 * absolute http(s) URL, so a click token can never become an open redirect or a `javascript:` link.
 */
import { MAX_LINK_INDEX } from '@missive/tokens';
import type { Region } from '@missive/contracts';

export const MAX_LINK_URL_LENGTH = 2048;

/** The URL as it will be sent in `Location` (normalised by the WHATWG parser), or null if it may not be. */
export function redirectableUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_LINK_URL_LENGTH) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.username || parsed.password) return null; // credentials in a link are a phishing device
  return parsed.href.length > MAX_LINK_URL_LENGTH ? null : parsed.href;
}

export function isLinkIndex(index: unknown): index is number {
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index <= MAX_LINK_INDEX;
}

/**
 * The Redis hash of a campaign's links (field: link index, value: URL) in the region's Redis. The region and tenant
 * prefix lets the purge find every key of a tenant (R-P2).
 */
export function campaignLinksKey(region: Region, tenantId: string, campaignId: string): string {
  return `${region.toLowerCase()}:t:${tenantId}:c:${campaignId}:links`;
}
