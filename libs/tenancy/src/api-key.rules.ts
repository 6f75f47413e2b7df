import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Public API keys: `mk_` + base64url of 32 random bytes (R-X1). */
export const API_KEY_PREFIX = 'mk_';
const SECRET_BYTES = 32;
/** base64url of 32 bytes, without padding, is 43 characters. */
const API_KEY_PATTERN = /^mk_[A-Za-z0-9_-]{43}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A fresh secret with the given prefix: 32 bytes from the CSPRNG, base64url. Shown once, never stored. */
export function generateSecret(prefix: string): string {
  return prefix + randomBytes(SECRET_BYTES).toString('base64url');
}

/** R-X1: a new API key, shown to support once; only its hash is stored. */
export function generateApiKey(): string {
  return generateSecret(API_KEY_PREFIX);
}

export function isWellFormedApiKey(candidate: string): boolean {
  return API_KEY_PATTERN.test(candidate);
}

/** R-X1: what the directory stores and looks up: SHA-256 of the whole key, lower-case hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * R-X1: constant-time equality of two SHA-256 hex digests. A malformed digest is never equal (and is checked
 * before the comparison, which needs equal lengths).
 */
export function hashesEqual(a: string, b: string): boolean {
  if (!SHA256_HEX.test(a) || !SHA256_HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** Constant-time equality of two secrets of any length, compared through their digests. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export type BearerParse = { ok: true; token: string } | { ok: false; reason: string };

/** Reads `Authorization: Bearer <token>`; says what is wrong otherwise (for the 401's details). */
export function parseBearer(header: string | string[] | undefined): BearerParse {
  if (header === undefined || header === '') return { ok: false, reason: 'missing Authorization: Bearer header' };
  if (Array.isArray(header)) return { ok: false, reason: 'more than one Authorization header' };
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim());
  if (!match) return { ok: false, reason: 'Authorization must be "Bearer <token>"' };
  return { ok: true, token: match[1] };
}
