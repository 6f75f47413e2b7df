/**
 * UUID text <-> 16 raw bytes, for the binary link-token payload (R-K1). Hand-written loops instead of regular
 * expressions: the pixel route decodes on every hit.
 */

export const UUID_BYTES = 16;
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Value of one hex digit's char code, or -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Writes the canonical textual UUID `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case) as 16 bytes at `offset`.
 * Returns false, having possibly written part of it, if the text is not such a UUID.
 */
export function writeUuid(uuid: string, target: Uint8Array, offset: number): boolean {
  if (typeof uuid !== 'string' || uuid.length !== 36) return false;
  let out = offset;
  let i = 0;
  while (i < 36) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (uuid.charCodeAt(i) !== 45 /* - */) return false;
      i += 1;
      continue;
    }
    const high = hexValue(uuid.charCodeAt(i));
    const low = hexValue(uuid.charCodeAt(i + 1));
    if (high < 0 || low < 0) return false;
    target[out] = (high << 4) | low;
    out += 1;
    i += 2;
  }
  return true;
}

/** True if the textual UUID is well formed (see writeUuid). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && writeUuid(value, SCRATCH, 0);
}
const SCRATCH = new Uint8Array(UUID_BYTES);

/** Reads 16 bytes at `offset` as a lower-case textual UUID. */
export function readUuid(source: Buffer, offset: number): string {
  const hex = source.toString('hex', offset, offset + UUID_BYTES);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True if the 16 bytes at `offset` are all zero (the nil UUID). */
export function isNilUuid(source: Uint8Array, offset: number): boolean {
  for (let i = offset; i < offset + UUID_BYTES; i++) if (source[i] !== 0) return false;
  return true;
}
