import { isIPv6 } from 'node:net';

/**
 * Log redaction (R-X2, R-K4, R-X6): no email address, IP address, link token, API key or staff token ever reaches a
 * log line. Applied to every message and every string field by the logger, so a careless `log(\`sent to ${email}\`)`
 * is still safe. Every pattern runs in linear time, so a hostile string in a log line cannot stall the process: a
 * pattern with an open-ended run may only start where that run starts (the lookbehinds), so no start position
 * rescans the run of the one before it.
 */

/**
 * Characters of an address's local part (RFC 5322 atext and dots, and any letter, digit or mark, RFC 6531) and of
 * its domain (internationalised ones included: `bücher.de`, `例子.广告`).
 */
const LOCAL_CHAR = /^[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~.-]$/u;
const DOMAIN_CHAR = /^[\p{L}\p{N}\p{M}.-]$/u;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
/** A run of hex digits, colons and dots with a colon in it: checked as an IPv6 address, compressed or not. */
const IPV6_CANDIDATE = /(?<![0-9A-Fa-f:.])[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*/g;
const LINK_TOKEN_PATH = /\/(t\/[oc]|u|c)\/[A-Za-z0-9_-]{8,}/g;
const BEARER = /\b(Bearer\s+)\S+/gi;
/** API keys (`mk_…`) and staff tokens (`mst_…`), also when glued to a word such as `api_key=`. */
const SECRET_TOKEN = /(?<![A-Za-z0-9])(mk|mst)_[A-Za-z0-9_-]+/g;

export function redactText(text: string): string {
  return redactEmails(text)
    .replace(LINK_TOKEN_PATH, '/$1/[token]')
    .replace(BEARER, '$1[secret]')
    .replace(SECRET_TOKEN, '$1_[secret]')
    .replace(IPV6_CANDIDATE, redactIpv6)
    .replace(IPV4, redactIpv4);
}

/** Loopback and the unspecified address name no person; keeping them leaves start-up lines usable. */
const MACHINE_ONLY_IPV4 = new Set(['127.0.0.1', '0.0.0.0']);

function redactIpv4(address: string): string {
  return MACHINE_ONLY_IPV4.has(address) ? address : '[ip]';
}

/**
 * Every `local@domain` becomes `[email]`; over-redacting a non-address is harmless, missing an address is not. A
 * scan from each `@` rather than a regular expression: the local part is found leftwards, which a regex can only do
 * by retrying every start position (quadratic over a long run without `@`). Neither side crosses an `@`, so each
 * character is looked at no more than twice.
 */
function redactEmails(text: string): string {
  let at = text.indexOf('@');
  if (at < 0) return text;
  let out = '';
  let copied = 0;
  while (at >= 0) {
    const start = localStart(text, at, copied);
    const end = domainEnd(text, at);
    if (start < at && end > at + 1) {
      out += `${text.slice(copied, start)}[email]`;
      copied = end;
    }
    at = text.indexOf('@', Math.max(end, at + 1));
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function localStart(text: string, at: number, floor: number): number {
  let i = at;
  while (i > floor) {
    const pair = i - 2 >= floor && isSurrogatePair(text, i - 2) ? 2 : 1;
    if (!LOCAL_CHAR.test(text.slice(i - pair, i))) break;
    i -= pair;
  }
  return i;
}

function domainEnd(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const size = isSurrogatePair(text, i) ? 2 : 1;
    if (!DOMAIN_CHAR.test(text.slice(i, i + size))) break;
    i += size;
  }
  return i;
}

function isSurrogatePair(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/**
 * A candidate run is an address when it is one, or is one followed by punctuation (`…::1.` ending a sentence, `…::1:`
 * before a message). A run without a hex digit (`::`, a C++-style `Class::method`) is nobody's address.
 */
function redactIpv6(run: string): string {
  if (!/[0-9A-Fa-f]/.test(run)) return run;
  let end = run.length;
  while (end > 0 && (run[end - 1] === '.' || run[end - 1] === ':')) end--;
  const address = run.slice(0, end);
  if (isIPv6(run)) return run === '::1' ? run : '[ip]';
  if (end < run.length && isIPv6(address)) return `${address === '::1' ? address : '[ip]'}${run.slice(end)}`;
  return run;
}

/**
 * A log field with every string redacted; depth-bounded so a cyclic object cannot hang it. Objects are copied only
 * where something changed, so a line without personal data costs a walk and no allocation.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { type: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const redacted = redactValue(value[i], depth + 1);
      if (redacted !== value[i]) (copy ??= value.slice())[i] = redacted;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const redacted = redactValue(v, depth + 1);
    if (redacted !== v) (copy ??= { ...value })[k] = redacted;
  }
  return copy ?? value;
}
