/**
 * The staff token in a queue-board request: `Authorization: Bearer <token>` (scripts), or HTTP Basic with the
 * token as the password (a browser's own login prompt; the user name is ignored). Null when neither is there.
 */
export function staffTokenOf(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const bearer = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim());
  if (bearer) return bearer[1];
  const basic = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header.trim());
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  return password.length > 0 ? password : null;
}

/** Page loads (not the UI's polling or its static assets) are what the audit log records. */
export function isBoardPageLoad(method: string, path: string, base: string): boolean {
  return method === 'GET' && (path === base || path === `${base}/`);
}
