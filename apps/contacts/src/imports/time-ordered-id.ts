import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Random bytes drawn in bulk: one call to the CSPRNG per 1,024 ids instead of one per id. */
const pool = Buffer.alloc(10 * 1024);
let used = pool.length;

/**
 * A time-ordered UUID (RFC 9562 version 7: 48 bits of Unix milliseconds, the version, the variant and 74 random
 * bits) for each contact an import creates. A random id (the table's default) puts each new row on a random page of
 * the primary-key index, so a 10,000-row batch read and dirtied ~9,000 index pages (and as many full-page images in
 * the WAL); ids from the clock land on the index's right edge, a few hundred. Made here rather than in the upsert:
 * the same expression in SQL costs the database ~3.5 µs a row, a tenth of its whole upsert.
 */
export function timeOrderedId(now: number = Date.now()): string {
  if (used + 10 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const r = used;
  used += 10;
  const high = Math.floor(now / 0x1000000);
  const low = now % 0x1000000;
  return (
    HEX[(high >>> 16) & 0xff] +
    HEX[(high >>> 8) & 0xff] +
    HEX[high & 0xff] +
    HEX[(low >>> 16) & 0xff] +
    '-' +
    HEX[(low >>> 8) & 0xff] +
    HEX[low & 0xff] +
    '-' +
    HEX[0x70 | (pool[r] & 0x0f)] +
    HEX[pool[r + 1]] +
    '-' +
    HEX[0x80 | (pool[r + 2] & 0x3f)] +
    HEX[pool[r + 3]] +
    '-' +
    HEX[pool[r + 4]] +
    HEX[pool[r + 5]] +
    HEX[pool[r + 6]] +
    HEX[pool[r + 7]] +
    HEX[pool[r + 8]] +
    HEX[pool[r + 9]]
  );
}
