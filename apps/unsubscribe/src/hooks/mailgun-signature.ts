import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signature's timestamp may be from now, either way; older ones are refused as replays. */
export const MAILGUN_MAX_SKEW_SECONDS = 15 * 60;

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

/** The `signature` object of a Mailgun webhook body, or null when it is missing or malformed. */
export function mailgunSignatureOf(body: unknown): MailgunSignature | null {
  const s = (body as { signature?: unknown } | null)?.signature as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) return null;
  const timestamp = typeof s.timestamp === 'number' ? String(s.timestamp) : s.timestamp;
  const { token, signature } = s;
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return null;
  if (typeof token !== 'string' || token.length < 1 || token.length > 200) return null;
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return null;
  return { timestamp, token, signature };
}

/**
 * Mailgun signs each webhook with the domain's webhook signing key: hex HMAC-SHA256 of timestamp followed by token.
 * `stale` when the timestamp is outside the window (a replay of an old request); whether the token was already
 * used is the caller's question (it needs shared storage).
 */
export function verifyMailgunSignature(
  signingKey: string,
  s: MailgunSignature,
  nowSeconds: number,
): 'valid' | 'invalid' | 'stale' {
  const expected = createHmac('sha256', signingKey)
    .update(s.timestamp + s.token, 'utf8')
    .digest();
  const given = Buffer.from(s.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return Math.abs(nowSeconds - Number(s.timestamp)) > MAILGUN_MAX_SKEW_SECONDS ? 'stale' : 'valid';
}
