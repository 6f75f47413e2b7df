import { isUtf8 } from 'node:buffer';
import { emailSyntaxProblem, type FieldProblem, normaliseEmail } from '@missive/contact-domain';

export interface SuppressionInput {
  email: string;
  reason: string;
}

const MAX_REASON = 200;

/** R-U5: a suppression is an address in the same normal form as contacts (R-C1) and an optional reason. */
export function validateSuppressionInput(
  raw: unknown,
): { ok: true; suppression: SuppressionInput } | { ok: false; errors: FieldProblem[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: 'body', reason: 'must be a JSON object' }] };
  }
  const input = raw as Record<string, unknown>;
  const errors: FieldProblem[] = [];
  for (const key of Object.keys(input)) {
    if (key !== 'email' && key !== 'reason') errors.push({ field: key, reason: 'unknown field' });
  }
  let email = '';
  if (typeof input.email !== 'string') {
    errors.push({ field: 'email', reason: input.email === undefined ? 'is required' : 'must be a string' });
  } else {
    email = normaliseEmail(input.email);
    const problem = emailSyntaxProblem(email);
    if (problem) errors.push({ field: 'email', reason: problem });
  }
  let reason = 'manual';
  if (input.reason !== undefined && input.reason !== null) {
    if (typeof input.reason !== 'string' || !input.reason.trim()) {
      errors.push({ field: 'reason', reason: 'must be a non-empty string' });
    } else if (input.reason.length > MAX_REASON) {
      errors.push({ field: 'reason', reason: `is longer than ${MAX_REASON} characters` });
    } else reason = input.reason.trim();
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, suppression: { email, reason } };
}

/** A page cursor of the suppression list: the page's last address, base64url. */
export function encodeSuppressionCursor(email: string): string {
  return Buffer.from(email, 'utf8').toString('base64url');
}

/**
 * The address a page cursor starts after, or null when `text` is not a cursor (a 400 naming `cursor`): its bytes
 * must be UTF-8 without a NUL, which PostgreSQL refuses in `text` (it answered 500; found by the route fuzzing of
 * issue 27).
 */
export function decodeSuppressionCursor(text: string): string | null {
  const bytes = Buffer.from(text, 'base64url');
  const email = bytes.toString('utf8');
  if (bytes.length === 0 || !isUtf8(bytes) || email.includes('\u0000')) return null;
  return email;
}
