/**
 * What a hit may carry about the person behind it (R-K4, from the processors' commitments in seeds/): the IP is
 * truncated inside the request handler, before it is published, spooled or logged anywhere; the user agent is
 * kept, cut to a bounded length. Plain functions, no I/O.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const MAX_USER_AGENT_LENGTH = 256;

/**
 * The network an address belongs to, never the address: IPv4 keeps its /24 (last octet 0), IPv6 its /48 (the
 * site prefix; the rest zero, in RFC 5952 form, e.g. `2001:db8:abcd::`). An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.7`, what a dual-stack socket reports) is treated as the IPv4 address. Anything that is not an
 * IP address gives null: storing nothing is always allowed.
 */
export function truncateIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  const address = mapped ? mapped[1] : ip;
  if (isIPv4(address)) {
    const parts = address.split('.');
    return `${Number(parts[0])}.${Number(parts[1])}.${Number(parts[2])}.0`;
  }
  const unzoned = address.split('%')[0];
  if (!isIPv6(unzoned)) return null;
  return compressIpv6([...ipv6Groups(unzoned), 0, 0, 0, 0, 0]);
}

/** RFC 5952 text of eight groups: lower-case hex, no leading zeros, the longest run of ≥ 2 zero groups as `::`. */
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The first three 16-bit groups of a valid IPv6 address (the /48 prefix). */
function ipv6Groups(address: string): number[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, ''];
  const headGroups = head === '' ? [] : head.split(':');
  // A dotted IPv4 tail occupies the last two groups; it never reaches the /48 unless the head is short, and
  // then only as zeros in between, so it counts as two groups here.
  const tailGroups = tail === '' ? [] : tail.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const missing = 8 - headGroups.length - tailGroups.length;
  const all = [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups];
  return all.slice(0, 3).map((g) => (g.includes('.') ? 0 : parseInt(g, 16)));
}

/** The user agent as sent, cut to 256 characters; null when missing or blank. */
export function truncateUserAgent(userAgent: string | undefined | null): string | null {
  if (!userAgent) return null;
  const trimmed = userAgent.trim();
  return trimmed === '' ? null : trimmed.slice(0, MAX_USER_AGENT_LENGTH);
}
