import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption for personal fields that must leave the regional database (events, queued jobs):
 * AES-256-GCM under the tenant's data key, with the tenant id as associated data so a box cannot be replayed under
 * another tenant. Destroying the data key makes every box of that tenant unreadable wherever it lies (R-P2
 * crypto-shredding). Format: base64url(version 1 | iv 12 | tag 16 | ciphertext).
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

function decrypt(key: Buffer, box: Buffer, aad: string): Buffer | null {
  if (box.length < 1 + IV_BYTES + TAG_BYTES || box[0] !== VERSION) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(box.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(box.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/** Seals a JSON value for one tenant. */
export function seal(dataKey: Buffer, tenantId: string, value: unknown): string {
  return sealJson(dataKey, tenantId, JSON.stringify(value));
}

/** Seals a value already serialised as JSON, text or its UTF-8 bytes (`open` returns it parsed), for one tenant. */
export function sealJson(dataKey: Buffer, tenantId: string, json: string | Buffer): string {
  return encrypt(dataKey, typeof json === 'string' ? Buffer.from(json, 'utf8') : json, tenantId).toString('base64url');
}

/** Opens a sealed value; null when the key is wrong, the box was altered, or it belongs to another tenant. */
export function open<T = unknown>(dataKey: Buffer, tenantId: string, sealed: string): T | null {
  const plaintext = decrypt(dataKey, Buffer.from(sealed, 'base64url'), tenantId);
  return plaintext ? (JSON.parse(plaintext.toString('utf8')) as T) : null;
}

/** Wraps a data key under the master key for storage (the tenant id bound as associated data). */
export function wrapDataKey(master: Buffer, tenantId: string, dataKey: Buffer): Buffer {
  return encrypt(master, dataKey, `tenant-key:${tenantId}`);
}

export function unwrapDataKey(master: Buffer, tenantId: string, wrapped: Buffer): Buffer | null {
  return decrypt(master, wrapped, `tenant-key:${tenantId}`);
}

/**
 * A keyed hash of an address (R-D2): what stays on the suppression list after an erasure, so a re-import cannot
 * resurrect the person. Keyed with a key derived from the tenant's data key, so it dies with the purge and is
 * useless across tenants.
 */
export function keyedAddressHash(dataKey: Buffer, normalisedEmail: string): string {
  const hashKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'missive:address-hash', 32));
  return createHmac('sha256', hashKey).update(normalisedEmail, 'utf8').digest('hex');
}
