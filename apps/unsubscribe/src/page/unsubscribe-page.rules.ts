/**
 * What the recipient sees on `GET /u/{token}` (R-U1): the address masked so a forwarded link or a shoulder-surfer
 * learns little (`a***@e***.com`). Its language: `recipientLanguage` (@missive/http, R-U6).
 */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local[0]}***@${host[0] ?? ''}***${tld}`;
}

/**
 * RFC 8058 one-click: the POST body is exactly `List-Unsubscribe=One-Click` (form-encoded). The page's own form
 * posts `confirm=yes`. Either opts out; anything else changes nothing.
 */
export function isUnsubscribeRequest(form: Record<string, unknown> | null | undefined): boolean {
  if (!form) return false;
  return form['List-Unsubscribe'] === 'One-Click' || form.confirm === 'yes';
}

/** R-U4: which lists a preferences form leaves (`leave` may repeat), or everything; null when it says nothing. */
export function listsToLeave(
  form: Record<string, unknown> | null | undefined,
  known: string[],
): { everything: true } | { lists: string[] } | null {
  if (!form) return null;
  if (form.everything === 'yes') return { everything: true };
  const raw = form.leave;
  const wanted = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  const lists = [...new Set(wanted.filter((l) => known.includes(l)))];
  return lists.length ? { lists } : null;
}
