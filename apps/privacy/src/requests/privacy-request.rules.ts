import { WRITABLE_FIELDS, type FieldProblem } from '@missive/contact-domain';
import type { PrivacyRequestType, Region } from '@missive/contracts';

/**
 * Data-subject requests (R-D1–D3) as plain rules: the request types, their due dates, what a request body may
 * carry, and when a request can be served (what an erasure leaves behind, R-D2, is libs/contact-domain's
 * `keepsSuppressionHash`). No Nest, no I/O.
 */

export { PRIVACY_REQUEST_TYPES, type PrivacyRequestType } from '@missive/contracts';
export type PrivacyRequestStatus = 'pending' | 'completed' | 'rejected';
export type PrivacyRequestSource = 'api' | 'support';

/** R-D1: the answer is due 30 days after receipt under GDPR Art. 12(3), 45 days under CCPA § 1798.130. */
export const RESPONSE_DAYS: Readonly<Record<Region, number>> = Object.freeze({ EEA: 30, NA: 45 });
/** R-D1: CCPA regulations § 7021 — confirm receipt within 10 business days (NA only). */
export const ACKNOWLEDGE_BUSINESS_DAYS = 10;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RequestDeadlines {
  dueAt: Date;
  acknowledgeBy: Date | null;
}

/** `days` working days (Monday to Friday, UTC) after `from`, at the same time of day. */
export function addBusinessDays(from: Date, days: number): Date {
  let at = from.getTime();
  let left = days;
  while (left > 0) {
    at += DAY_MS;
    const weekday = new Date(at).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return new Date(at);
}

/** R-D1: the due dates run from `receivedAt` (for a referral, when support got it, R-D3). */
export function requestDeadlines(regime: Region, receivedAt: Date): RequestDeadlines {
  return {
    dueAt: new Date(receivedAt.getTime() + RESPONSE_DAYS[regime] * DAY_MS),
    acknowledgeBy: regime === 'NA' ? addBusinessDays(receivedAt, ACKNOWLEDGE_BUSINESS_DAYS) : null,
  };
}

/**
 * The regime whose deadlines apply (R-T3): the data subject's when a contact has the address (an EEA subject of an
 * NA tenant keeps the GDPR's 30 days), otherwise the tenant's home region.
 */
export function requestRegime(tenantRegion: Region, contactRegion: Region | null): Region {
  return contactRegion ?? tenantRegion;
}

const WRITABLE = new Set<string>(WRITABLE_FIELDS);

/**
 * R-D1, R-C5: `changes` is required for a rectification — a non-empty object of the fields a client may write on
 * a contact (PATCH /v1/contacts) — and refused on any other type. Every problem is named.
 */
export function changesProblems(type: PrivacyRequestType, changes: unknown): FieldProblem[] {
  if (type !== 'rectification') {
    return changes === undefined ? [] : [{ field: 'changes', reason: 'is only accepted with type rectification' }];
  }
  if (changes === undefined || changes === null) return [{ field: 'changes', reason: 'is required for rectification' }];
  if (typeof changes !== 'object' || Array.isArray(changes)) return [{ field: 'changes', reason: 'must be an object' }];
  const fields = Object.keys(changes);
  if (fields.length === 0) return [{ field: 'changes', reason: 'must name at least one field' }];
  return fields
    .filter((field) => !WRITABLE.has(field))
    .map((field) => ({ field: `changes.${field}`, reason: 'unknown field' }));
}

/** What Missive holds on the address: a contact, and/or an entry on the suppression list. */
export interface SubjectHoldings {
  contact: boolean;
  suppression: boolean;
}

export type ServeDecision = { serve: true } | { serve: false; reason: string };

/**
 * Whether a request can be served. Nothing held → rejected: there is nothing to give, change or erase (the
 * tenant answers the person that no data is held). Access, portability and erasure also cover an address that is
 * only on the suppression list; rectification, restriction and objection need a contact.
 */
export function serveDecision(type: PrivacyRequestType, held: SubjectHoldings): ServeDecision {
  if (!held.contact && !held.suppression) {
    return { serve: false, reason: 'no data is held on this address' };
  }
  if (!held.contact && (type === 'rectification' || type === 'restriction' || type === 'objection')) {
    return { serve: false, reason: 'no contact has this address (it is only on the suppression list)' };
  }
  return { serve: true };
}

export const PRIVACY_REQUEST_STATUSES: readonly PrivacyRequestStatus[] = ['pending', 'completed', 'rejected'];

/** How the tenant closes a referred request (R-D3). */
export type CloseAction = 'complete' | 'reject';

export type CloseDecision = { ok: true; status: PrivacyRequestStatus } | { ok: false; reason: string };

/**
 * R-D3: a pending request is closed once, as completed or rejected; a closed one stays as it is (409), so a second
 * click or a retried call never changes what the person was told.
 */
export function closeDecision(status: PrivacyRequestStatus, action: CloseAction): CloseDecision {
  if (status !== 'pending') return { ok: false, reason: `the request is already ${status}` };
  return { ok: true, status: action === 'complete' ? 'completed' : 'rejected' };
}

/**
 * R-D3: overdue = still pending after its due date (R-D1). The `/metrics` gauge counts the same condition in SQL
 * (`count_overdue_privacy_requests`, migration 1765310000000).
 */
export function isOverdue(request: { status: PrivacyRequestStatus; dueAt: Date }, now: Date): boolean {
  return request.status === 'pending' && request.dueAt.getTime() < now.getTime();
}

/** Where a page of the list starts: after the request with this receipt time and id (newest first). */
export interface ListCursor {
  receivedAt: Date;
  id: string;
}

const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.receivedAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

/** The cursor a page handed out, or null when `text` is not one (a 400 naming `cursor`). */
export function decodeCursor(text: string): ListCursor | null {
  const [at, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const receivedAt = new Date(at);
  if (rest.length > 0 || !CURSOR_ID.test(id ?? '') || Number.isNaN(receivedAt.getTime())) return null;
  return { receivedAt, id };
}
