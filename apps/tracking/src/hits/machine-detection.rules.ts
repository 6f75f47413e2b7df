/**
 * Whether a hit comes from a machine rather than the person (R-K4: "a flag for machine opens (Apple Mail Privacy
 * Protection, link scanners, prefetch)"); reports show human and machine counts apart. A heuristic by design:
 * a false "machine" only moves a hit from one column to the other, it never drops it.
 */

/**
 * Apple Mail Privacy Protection fetches every remote image through Apple's proxy when the message arrives, with
 * the bare user agent `Mozilla/5.0` and from Apple's network 17.0.0.0/8 (or Apple's relay egress, which sends
 * the same bare user agent). A real Apple Mail client sends a full WebKit user agent.
 */
const APPLE_MPP_USER_AGENT = 'Mozilla/5.0';

/**
 * Security gateways that follow every link in a message before delivery (Google Safe Browsing, Barracuda,
 * Mimecast, Proofpoint, Microsoft Defender Safe Links, Office link previews), headless browsers and HTTP
 * libraries (no mail client uses them), and anything announcing itself as a bot, crawler, preview or prefetch.
 * Webmail image proxies (GoogleImageProxy, YahooMailProxy) are not here: they fetch when the person opens; nor is
 * desktop Outlook, whose image fetches say `Microsoft Office/16.0 (…; Microsoft Outlook …)`.
 */
const MACHINE_USER_AGENT =
  /bot\b|bot\/|crawler|spider|preview|prefetch|scanner|google-safety|barracuda|mimecast|proofpoint|ms-office|microsoft office (?:existence|protocol) discovery|microsoft office (?:word|excel|powerpoint)|safelinks|microsoft url control|skypeuripreview|headlesschrome|phantomjs|python-|curl\/|wget\/|go-http-client|okhttp|java\/|libwww|axios\/|node-fetch|^node$|undici/i;

export interface MachineSignals {
  /** The user agent as received (not yet truncated); undefined when the header was missing. */
  userAgent: string | undefined;
  /** The full client address; used here only, inside the handler, and never stored. */
  ip: string | undefined;
  /** HEAD requests come from link checkers, never from a mail client showing an image or a person clicking. */
  method: string;
}

export function isMachineHit({ userAgent, ip, method }: MachineSignals): boolean {
  if (method === 'HEAD') return true;
  const ua = userAgent?.trim();
  if (!ua) return true;
  if (ua === APPLE_MPP_USER_AGENT) return true;
  if (ip !== undefined && isAppleNetwork(ip)) return true;
  return MACHINE_USER_AGENT.test(ua);
}

/** 17.0.0.0/8 (Apple), also when reported IPv4-mapped by a dual-stack socket. */
function isAppleNetwork(ip: string): boolean {
  return ip.startsWith('17.') || ip.toLowerCase().startsWith('::ffff:17.');
}
