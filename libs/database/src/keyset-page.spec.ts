import { decodeKeysetCursor, encodeKeysetCursor, keysetPage, parsePageLimit } from './keyset-page';

const ID = '2b0c9a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const AT = '2026-12-07T16:30:58.123456Z';

describe('keyset pages (API.md listings: cursor, limit)', () => {
  it('a cursor round-trips the exact timestamp and id', () => {
    const cursor = encodeKeysetCursor({ at: AT, id: ID });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeysetCursor(cursor)).toEqual({ at: AT, id: ID });
  });

  it('anything else is not a cursor', () => {
    for (const bad of [
      '',
      'x',
      'not a cursor!',
      Buffer.from(`${AT}|nope`).toString('base64url'),
      Buffer.from(`2026-13-45|${ID}`).toString('base64url'),
      Buffer.from(`${AT}|${ID}|x`).toString('base64url'),
      Buffer.from(`2026-02-30T00:00:00.000000Z|${ID}`).toString('base64url'),
      Buffer.from(`2026-01-01T24:00:00.000000Z|${ID}`).toString('base64url'),
      Buffer.from(`0000-01-01T00:00:00.000000Z|${ID}`).toString('base64url'),
      'A'.repeat(500),
    ]) {
      expect(decodeKeysetCursor(bad)).toBeNull();
    }
  });

  it('limit defaults to 50, at most 200', () => {
    expect(parsePageLimit(undefined)).toBe(50);
    expect(parsePageLimit('1')).toBe(1);
    expect(parsePageLimit('200')).toBe(200);
    for (const bad of ['0', '201', '-1', '1.5', 'ten', '1e2']) expect(parsePageLimit(bad)).toBeNull();
  });

  it('a page of limit + 1 rows has a next cursor at its last row; a short one has none', () => {
    const rows = [1, 2, 3].map((i) => ({ keyset_at: AT, id: ID.replace(/.$/, String(i)) }));
    const full = keysetPage(rows, 2);
    expect(full.rows).toHaveLength(2);
    expect(decodeKeysetCursor(full.nextCursor!)).toEqual({ at: AT, id: rows[1].id });
    expect(keysetPage(rows, 3).nextCursor).toBeNull();
  });
});
