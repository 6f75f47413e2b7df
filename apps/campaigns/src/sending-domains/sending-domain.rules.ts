/**
 * R-S9 sending domains as plain rules: which names may be registered, the DNS records a tenant publishes (DKIM,
 * SPF, DMARC), whether what DNS answers matches them, and which domain a campaign's From is on.
 */

export type SendingDomainStatus = 'pending' | 'verified';
export type RecordKind = 'DKIM' | 'SPF' | 'DMARC';

export interface DnsRecord {
  type: 'TXT';
  name: string;
  value: string;
}

/** One record to publish, with what it is for (the answer names missing records by kind). */
export interface ExpectedRecord extends DnsRecord {
  kind: RecordKind;
}

/** A record that DNS does not show as expected. */
export interface RecordProblem {
  record: RecordKind;
  name: string;
  reason: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain name as registered: lower case, no trailing dot, at least two labels, each a hostname label; null when
 * it is not one. Punycode (`xn--`) is accepted as it is; Unicode names are not converted here.
 */
export function normaliseDomain(input: string): string | null {
  const domain = input.trim().toLowerCase().replace(/\.$/, '');
  if (domain.length === 0 || domain.length > 253) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  // The last label is a TLD: letters (or punycode), never all digits, so an IP address is not a domain.
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return null;
  return domain;
}

/**
 * The DKIM selector of a key made at `now`: dated (`mv202612`), so a key rotated later publishes beside the old one
 * under a name of its own.
 */
export function selectorFor(now: Date): string {
  return `mv${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The base64 of an SPKI DER public key, as DKIM's `p=` carries it. */
export function dkimRecordValue(publicKeyBase64: string): string {
  return `v=DKIM1; k=rsa; p=${publicKeyBase64}`;
}

/**
 * The records a tenant publishes for `domain` (R-S9): the DKIM key at `{selector}._domainkey`, an SPF record that
 * includes Missive's relays, and a DMARC policy (`p=none` to start: reports before enforcement).
 */
export function recordsToPublish(
  domain: string,
  selector: string,
  publicKeyBase64: string,
  spfInclude: string,
): ExpectedRecord[] {
  return [
    { kind: 'DKIM', type: 'TXT', name: `${selector}._domainkey.${domain}`, value: dkimRecordValue(publicKeyBase64) },
    { kind: 'SPF', type: 'TXT', name: domain, value: `v=spf1 include:${spfInclude} ~all` },
    { kind: 'DMARC', type: 'TXT', name: `_dmarc.${domain}`, value: 'v=DMARC1; p=none; adkim=r; aspf=r' },
  ];
}

/** `k=v; k=v` tags of a DKIM or DMARC record, keys lower-cased, white space inside values removed. */
export function parseTags(record: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return tags;
}

/** What DNS answered for each name: the TXT records (each already joined from its strings), or null (no record). */
export type TxtAnswers = ReadonlyMap<string, readonly string[] | null>;

/**
 * Checks DNS's answers against the expected records (R-S9). DKIM: a `v=DKIM1` record whose `p=` is our public key
 * (other tags may differ); SPF: one `v=spf1` record that includes Missive's relays; DMARC: a `v=DMARC1` record with
 * a policy. Empty when the domain is verified.
 */
export function recordProblems(expected: readonly ExpectedRecord[], answers: TxtAnswers): RecordProblem[] {
  const problems: RecordProblem[] = [];
  for (const record of expected) {
    const found = answers.get(record.name) ?? [];
    const reason = problemOf(record, found);
    if (reason) problems.push({ record: record.kind, name: record.name, reason });
  }
  return problems;
}

function problemOf(record: ExpectedRecord, found: readonly string[]): string | null {
  switch (record.kind) {
    case 'DKIM': {
      const keys = found.map(parseTags).filter((t) => (t.get('v') ?? 'DKIM1') === 'DKIM1' && t.has('p'));
      if (keys.length === 0) return 'no DKIM record';
      const wanted = parseTags(record.value).get('p');
      return keys.some((t) => t.get('p') === wanted) ? null : 'the DKIM record holds another key';
    }
    case 'SPF': {
      const spf = found.filter((r) => /^v=spf1(\s|$)/i.test(r.trim()));
      if (spf.length === 0) return 'no SPF record';
      if (spf.length > 1) return 'more than one SPF record (RFC 7208 makes that a permanent error)';
      const include = record.value
        .split(/\s+/)
        .find((t) => t.startsWith('include:'))!
        .toLowerCase();
      const terms = spf[0].toLowerCase().split(/\s+/);
      return terms.some((t) => t.replace(/^[+?~]/, '') === include) ? null : `the SPF record lacks ${include}`;
    }
    case 'DMARC': {
      const dmarc = found.map(parseTags).filter((t) => t.get('v') === 'DMARC1');
      if (dmarc.length === 0) return 'no DMARC record';
      return dmarc.some((t) => ['none', 'quarantine', 'reject'].includes(t.get('p') ?? '')) ? null : 'no DMARC policy';
    }
  }
}

/** The domain of an address (after the last `@`), lower case; null when there is none. */
export function domainOfEmail(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  return normaliseDomain(email.slice(at + 1));
}

/**
 * R-S9: in production a campaign's From must be on a verified domain of its tenant (exact match of the address's
 * domain); elsewhere any From is accepted, so development and tests send without DNS.
 */
export function fromEmailAllowed(production: boolean, fromEmail: string, verifiedDomains: readonly string[]): boolean {
  if (!production) return true;
  const domain = domainOfEmail(fromEmail);
  return domain !== null && verifiedDomains.includes(domain);
}
