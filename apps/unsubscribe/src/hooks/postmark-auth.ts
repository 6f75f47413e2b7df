import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Compared as HMACs under a per-process key: equal lengths whatever was sent, so the time says nothing. */
const COMPARE_KEY = randomBytes(32);
const digest = (text: string) => createHmac('sha256', COMPARE_KEY).update(text, 'utf8').digest();

/**
 * Postmark secures webhooks with HTTP basic auth in the webhook URL: `Authorization: Basic base64(user:password)`.
 * User and password are both compared in constant time, and both always (no early exit on the user).
 */
export function postmarkAuthorized(
  authorization: string | undefined,
  expected: { user: string; password: string },
): boolean {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization ?? '');
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? '' : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const userOk = timingSafeEqual(digest(user), digest(expected.user));
  const passwordOk = timingSafeEqual(digest(password), digest(expected.password));
  return match !== null && colon >= 0 && userOk && passwordOk;
}
