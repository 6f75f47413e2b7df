/**
 * Listing pages by keyset on (created_at, id), newest first, never OFFSET: a page costs the same however deep it
 * is, and rows written meanwhile neither repeat nor vanish between pages. The cursor is opaque to clients
 * (base64url of the last row's exact timestamp and id); the timestamp is kept as PostgreSQL's text, to the
 * microsecond, because a JavaScript Date would round it and skip or repeat rows created within one millisecond.
 */
export interface KeysetPosition {
  /** created_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (KEYSET_AT_SQL). */
  at: string;
  id: string;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** The select expression giving a row's `at` for its cursor; `column` is the created_at column (e.g. `c.created_at`). */
export function keysetAtSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at}|${position.id}`, 'utf8').toString('base64url');
}

/** The position a cursor stands for, or null when `text` is not a cursor (a 400 naming `cursor`). */
export function decodeKeysetCursor(text: string): KeysetPosition | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  const [at, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (rest.length || !at || !id || !AT.test(at) || !UUID.test(id)) return null;
  // A calendar date PostgreSQL accepts: the same instant back from a Date (no Feb 30, no 24:00), after 1970.
  const ms = Date.parse(at);
  if (Number.isNaN(ms) || ms < 0 || new Date(ms).toISOString() !== `${at.slice(0, 23)}Z`) return null;
  return { at, id };
}

/** `limit` from a query string: absent → the default; otherwise a whole number 1..MAX_PAGE_LIMIT, or null. */
export function parsePageLimit(text: string | undefined): number | null {
  if (text === undefined || text === '') return DEFAULT_PAGE_LIMIT;
  if (!/^\d{1,4}$/.test(text)) return null;
  const limit = Number(text);
  return limit >= 1 && limit <= MAX_PAGE_LIMIT ? limit : null;
}

/**
 * Splits the `limit + 1` rows a page query read into the page and the next cursor (null on the last page).
 * The rows carry `keyset_at` (keysetAtSql) and `id`.
 */
export function keysetPage<T extends { keyset_at: string; id: string }>(
  rows: T[],
  limit: number,
): { rows: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeKeysetCursor({ at: last.keyset_at, id: last.id }) : null,
  };
}
