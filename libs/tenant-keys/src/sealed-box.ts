import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption for personal fields that must leave the regional database (events, queued jobs):
 * AES-256-GCM under the tenant's data key, with the tenant id as associated data so a box cannot be replayed under
 * another tenant. Destroying the data key makes every box of that tenant unreadable wherever it lies (R-P2
 * crypto-shredding). Format: base64url(version 1 | iv 12 | tag 16 | ciphertext).
 *
 * A contact box (version 2) is sealed with one contact's own key instead, and names that contact in clear so a
 * reader knows which key to ask for; the tenant and contact ids are its associated data. Destroying the contact's
 * key erases every copy of that person's fields at once (R-D1). Format: base64url(version 2 | contact id 16 | iv 12 |
 * tag 16 | ciphertext).
 */
const VERSION = 1;
export const CONTACT_BOX_VERSION = 2;
const CONTACT_ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/**
 * Random bytes for IVs and keys, cut from a pool filled by one `randomBytes` call: an import seals every contact and
 * makes a key for each new one, and a call per 12 or 32 bytes cost about as much as the cipher itself. A used pool
 * is replaced, never refilled in place, and keys are copied out, so no two uses ever share bytes.
 */
const POOL_BYTES = 16 * 1024;
let pool = Buffer.alloc(0);
let poolAt = 0;

function randomChunk(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

export function newDataKey(): Buffer {
  return Buffer.from(randomChunk(DATA_KEY_BYTES));
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string, header: Buffer = Buffer.from([VERSION])): Buffer {
  const iv = randomChunk(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

function decrypt(key: Buffer, box: Buffer, aad: string, headerBytes = 1, version = VERSION): Buffer | null {
  if (box.length < headerBytes + IV_BYTES + TAG_BYTES || box[0] !== version) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(headerBytes, headerBytes + IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(box.subarray(headerBytes + IV_BYTES, headerBytes + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(box.subarray(headerBytes + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidBytes(id: string): Buffer {
  if (!UUID.test(id)) throw new Error('a contact id must be a uuid');
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

function uuidOf(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const contactAad = (tenantId: string, contactId: string) => `${tenantId}:${contactId}`;

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

/**
 * Seals a contact's value (a JSON value, or JSON already serialised as text or UTF-8 bytes when `serialised`) with
 * that contact's own key (R-D1): a contact box, opened with `openContactBox` while the key exists.
 */
export function sealForContact(
  contactKey: Buffer,
  tenantId: string,
  contactId: string,
  value: unknown,
  serialised = false,
): string {
  const json = serialised ? (value as string | Buffer) : JSON.stringify(value);
  const header = Buffer.concat([Buffer.from([CONTACT_BOX_VERSION]), uuidBytes(contactId)]);
  const plaintext = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  return encrypt(contactKey, plaintext, contactAad(tenantId, contactId.toLowerCase()), header).toString('base64url');
}

/** The contact a contact box was sealed for (read from its header, not authenticated until opened); else null. */
export function contactOfBox(sealed: string): string | null {
  if (typeof sealed !== 'string' || sealed.length < 4) return null;
  const head = Buffer.from(sealed.slice(0, 24), 'base64url');
  return head.length >= 1 + CONTACT_ID_BYTES && head[0] === CONTACT_BOX_VERSION
    ? uuidOf(head.subarray(1, 1 + CONTACT_ID_BYTES))
    : null;
}

/** Opens a contact box with the contact's key; null when the key is wrong, the box altered or not that tenant's. */
export function openContactBox<T = unknown>(contactKey: Buffer, tenantId: string, sealed: string): T | null {
  const contactId = contactOfBox(sealed);
  if (!contactId) return null;
  const plaintext = decrypt(
    contactKey,
    Buffer.from(sealed, 'base64url'),
    contactAad(tenantId, contactId),
    1 + CONTACT_ID_BYTES,
    CONTACT_BOX_VERSION,
  );
  return plaintext ? (JSON.parse(plaintext.toString('utf8')) as T) : null;
}

/** Wraps a contact's key under its tenant's data key for storage (tenant and contact bound as associated data). */
export function wrapContactKey(tenantKey: Buffer, tenantId: string, contactId: string, contactKey: Buffer): Buffer {
  return encrypt(tenantKey, contactKey, `contact-key:${tenantId}:${contactId.toLowerCase()}`);
}

export function unwrapContactKey(
  tenantKey: Buffer,
  tenantId: string,
  contactId: string,
  wrapped: Buffer,
): Buffer | null {
  return decrypt(tenantKey, wrapped, `contact-key:${tenantId}:${contactId.toLowerCase()}`);
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
