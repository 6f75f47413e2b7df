import { BlockList, isIP } from 'node:net';

/**
 * R-X7: where a tenant's webhook may go. Only http(s); in production only https, and never an address inside our
 * own network or the cloud's (private, loopback, link-local, unique-local, CGNAT, metadata…). The name is checked
 * when the endpoint is registered and the address again each time it is resolved for a delivery (the sender connects
 * to the address checked here, so a name re-pointed at 127.0.0.1 gets nothing). Outside production loopback is
 * allowed, so tests can run a receiver on 127.0.0.1; the other internal ranges stay refused everywhere.
 */

export interface TargetPolicy {
  production: boolean;
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Addresses a webhook never reaches, in any environment. */
const INTERNAL = new BlockList();
// IPv4
INTERNAL.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network"
INTERNAL.addSubnet('10.0.0.0', 8, 'ipv4'); // private
INTERNAL.addSubnet('100.64.0.0', 10, 'ipv4'); // CGNAT
INTERNAL.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, cloud metadata 169.254.169.254
INTERNAL.addSubnet('172.16.0.0', 12, 'ipv4'); // private
INTERNAL.addSubnet('192.0.0.0', 24, 'ipv4'); // IETF protocol assignments
INTERNAL.addSubnet('192.0.2.0', 24, 'ipv4'); // documentation
INTERNAL.addSubnet('192.168.0.0', 16, 'ipv4'); // private
INTERNAL.addSubnet('198.18.0.0', 15, 'ipv4'); // benchmarking
INTERNAL.addSubnet('198.51.100.0', 24, 'ipv4'); // documentation
INTERNAL.addSubnet('203.0.113.0', 24, 'ipv4'); // documentation
INTERNAL.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
INTERNAL.addSubnet('240.0.0.0', 4, 'ipv4'); // reserved, broadcast
// IPv6
INTERNAL.addAddress('::', 'ipv6'); // unspecified
INTERNAL.addSubnet('64:ff9b::', 96, 'ipv6'); // NAT64 (maps onto IPv4, which may be internal)
INTERNAL.addSubnet('100::', 64, 'ipv6'); // discard
INTERNAL.addSubnet('2001:db8::', 32, 'ipv6'); // documentation
INTERNAL.addSubnet('fc00::', 7, 'ipv6'); // unique local (ULA), incl. AWS metadata fd00:ec2::254
INTERNAL.addSubnet('fe80::', 10, 'ipv6'); // link-local
INTERNAL.addSubnet('ff00::', 8, 'ipv6'); // multicast

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address an IPv4-mapped or -compatible IPv6 address stands for (`::ffff:10.0.0.1`), else null. */
function embeddedIpv4(address: string): string | null {
  const m = /^::(?:ffff:(?:0{1,4}:)?)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** Why a webhook may not connect to this IP address (a literal one or one the name resolved to), or null. */
export function addressProblem(address: string, policy: TargetPolicy): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const v4 = family === 6 ? embeddedIpv4(address.toLowerCase()) : address;
  const [addr, type] = v4 ? [v4, 'ipv4' as const] : [address, 'ipv6' as const];
  if (LOOPBACK.check(addr, type)) return policy.production ? 'a loopback address' : null;
  if (INTERNAL.check(addr, type)) return 'a private, link-local or reserved address';
  return null;
}

/** The bare host of a URL: an IPv6 literal without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Checks an endpoint URL as registered (R-X7); the resolved address is checked again per delivery. */
export function checkTarget(input: string, policy: TargetPolicy): TargetCheck {
  if (input.length > MAX_WEBHOOK_URL_LENGTH) return { ok: false, reason: 'longer than 2048 characters' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'only http(s) URLs' };
  if (policy.production && url.protocol !== 'https:') return { ok: false, reason: 'only https URLs' };
  if (url.username || url.password) return { ok: false, reason: 'no credentials in the URL' };
  const host = hostOf(url).toLowerCase();
  if (!host) return { ok: false, reason: 'no host' };
  if (isIP(host)) {
    const problem = addressProblem(host, policy);
    if (problem) return { ok: false, reason: `the host is ${problem}` };
  } else {
    const name = host.endsWith('.') ? host.slice(0, -1) : host;
    if (name === 'localhost' || name.endsWith('.localhost')) {
      if (policy.production) return { ok: false, reason: 'the host is a loopback name' };
    } else if (policy.production && !name.includes('.')) {
      return { ok: false, reason: 'the host is not a public domain name' };
    } else if (policy.production && /\.(internal|local|localdomain|home\.arpa)$/.test(name)) {
      return { ok: false, reason: 'the host is not a public domain name' };
    }
  }
  url.hash = '';
  return { ok: true, url };
}
