import { emailSyntaxProblem, normaliseEmail } from '@missive/contact-domain';
import type { ErrorDetail } from '@missive/http';

/** At most this many addresses per test send (API.md). */
export const MAX_TEST_ADDRESSES = 10;

/** What marks a test message: never a campaign message a recipient could mistake it for, never counted. */
export const TEST_SUBJECT_PREFIX = '[Test] ';
export const TEST_HEADER = 'X-Missive-Test';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Parsed<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

function isRecord(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** `{contactId}` of POST /v1/campaigns/{id}/preview. */
export function parsePreviewRequest(body: unknown): Parsed<{ contactId: string }> {
  const contactId = isRecord(body) ? body.contactId : undefined;
  if (typeof contactId !== 'string' || !UUID.test(contactId))
    return { ok: false, details: [{ field: 'contactId', reason: 'must be the id of a contact' }] };
  return { ok: true, value: { contactId: contactId.toLowerCase() } };
}

/**
 * `{emails, contactId?}` of POST /v1/campaigns/{id}/test: 1 to 10 addresses, normalised and distinct; `contactId`
 * (optional) renders the message with that contact's fields instead of the address alone.
 */
export function parseTestRequest(body: unknown): Parsed<{ emails: string[]; contactId: string | null }> {
  const details: ErrorDetail[] = [];
  const emails = isRecord(body) ? body.emails : undefined;
  const out: string[] = [];
  if (!Array.isArray(emails) || emails.length === 0 || emails.length > MAX_TEST_ADDRESSES) {
    details.push({ field: 'emails', reason: `must list 1 to ${MAX_TEST_ADDRESSES} addresses` });
  } else {
    emails.forEach((raw, i) => {
      const email = typeof raw === 'string' ? normaliseEmail(raw) : '';
      const problem = typeof raw === 'string' ? emailSyntaxProblem(email) : 'must be an address';
      if (problem) details.push({ field: `emails[${i}]`, reason: problem });
      else if (!out.includes(email)) out.push(email);
    });
  }
  let contactId: string | null = null;
  if (isRecord(body) && body.contactId !== undefined) {
    const preview = parsePreviewRequest({ contactId: body.contactId });
    if (preview.ok) contactId = preview.value.contactId;
    else details.push(...preview.details);
  }
  return details.length ? { ok: false, details } : { ok: true, value: { emails: out, contactId } };
}
