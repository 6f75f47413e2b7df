import { domainToASCII } from 'node:url';

/**
 * R-C1: the one normal form of an address, used as the per-tenant unique key by the API, the import and the
 * suppression list alike.
 *
 * - surrounding whitespace is trimmed;
 * - the domain is lower-cased (and an internationalised domain turned into its ASCII `xn--` form);
 * - the local part is lower-cased too. RFC 5321 lets a server treat `Ann@` and `ann@` as two mailboxes, but no
 *   mainstream provider does, and keeping both would mail one person twice and let a suppression or an opt-out
 *   of one spelling miss the other (R-C7, R-U2). Dots and `+tags` are kept: for most providers those are
 *   different, deliverable addresses.
 */
export function normaliseEmail(raw: string): string {
  // Both parts lower-cased at once: no case mapping reaches across the `@`.
  const lower = raw.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return lower;
  const domain = lower.slice(at + 1);
  // Only non-ASCII domains need the IDNA conversion; the test keeps the common path cheap.
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(domain)) return lower;
  return `${lower.slice(0, at)}@${domainToASCII(domain) || domain}`;
}

/** RFC 5322 dot-atom local part (no quoted strings: they are legal but not accepted by real mail systems). */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * R-C1 syntax check of a normalised address; returns why it is refused, or null when it is acceptable.
 * Limits are RFC 5321's (local part 64, address 254 octets); the domain needs a dot and an alphabetic TLD.
 */
export function emailSyntaxProblem(email: string): string | null {
  if (email.length === 0) return 'is required';
  if (email.length > 254) return 'is longer than 254 characters';
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return 'is not an email address';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64) return 'has a local part longer than 64 characters';
  if (!LOCAL_PART.test(local)) return 'has an invalid local part';
  let verdict = domainVerdicts.get(domain);
  if (verdict === undefined) {
    verdict = domainProblem(domain);
    if (domainVerdicts.size >= MAX_REMEMBERED_DOMAINS) domainVerdicts.clear();
    domainVerdicts.set(domain, verdict);
  }
  return verdict;
}

/** Domains repeat across a list (a few providers hold most addresses): each is checked once. */
const domainVerdicts = new Map<string, string | null>();
const MAX_REMEMBERED_DOMAINS = 50000;

function domainProblem(domain: string): string | null {
  const labels = domain.split('.');
  if (labels.length < 2) return 'has a domain without a dot';
  if (!labels.every((l) => DOMAIN_LABEL.test(l))) return 'has an invalid domain';
  if (!TOP_LEVEL.test(labels[labels.length - 1])) return 'has an invalid top-level domain';
  return null;
}
