/**
 * Log redaction (R-X2, R-K4): no email address, IP address or link token ever reaches a log line. Applied to
 * every message and every string field by the logger, so a careless `log(\`sent to ${email}\`)` is still safe.
 */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const IPV6 = /\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b/g;
const LINK_TOKEN_PATH = /\/(t\/[oc]|u)\/[A-Za-z0-9_-]{8,}/g;
const BEARER = /\b(Bearer\s+)\S+/gi;
const API_KEY = /\bmk_[A-Za-z0-9_-]+/g;

export function redactText(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(LINK_TOKEN_PATH, '/$1/[token]')
    .replace(BEARER, '$1[secret]')
    .replace(API_KEY, 'mk_[secret]')
    .replace(IPV4, '[ip]')
    .replace(IPV6, '[ip]');
}

/** Deep copy of a log field with every string redacted; depth-bounded so a cyclic object cannot hang it. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { type: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1);
  return out;
}
