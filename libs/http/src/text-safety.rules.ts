import type { ErrorDetail } from './domain-error';

/**
 * Text no field may hold (R-X6): a NUL (PostgreSQL's `text` and `jsonb` refuse U+0000, so it would otherwise
 * surface as a 500 deep in a write), a lone UTF-16 surrogate (not Unicode; it cannot be encoded as UTF-8), and,
 * when the bytes it was decoded from were not UTF-8, the U+FFFD they decoded to. Framework-free, so the HTTP entry
 * points and the import parser apply the same rule.
 */

export const NUL_REASON = 'contains a NUL character (U+0000)';
export const LONE_SURROGATE_REASON = 'contains a lone UTF-16 surrogate, which is not valid Unicode';
export const INVALID_UTF8_REASON = 'is not valid UTF-8';

/** One bad body names at most this many fields: enough to fix it, and a 1 MB body of bad strings stays a small answer. */
export const MAX_TEXT_DETAILS = 100;

export interface TextSafetyOptions {
  /** The value was decoded from bytes that were not valid UTF-8: U+FFFD marks where. */
  invalidUtf8?: boolean;
  /** The field name of the value itself when it is a bare string (a whole body, one query parameter). */
  root?: string;
}

/** Why a string is refused, or null when it is fine. */
export function unsafeTextReason(text: string, invalidUtf8 = false): string | null {
  if (text.includes('\u0000')) return NUL_REASON;
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return LONE_SURROGATE_REASON;
  if (invalidUtf8 && text.includes('\uFFFD')) return INVALID_UTF8_REASON;
  return null;
}

/**
 * A literal, a null-prototype object, or an instance of a constructor whose prototype has none (what Fastify's query
 * parser, fast-querystring, returns: a whole-query DTO's NUL slipped past the rule before; issue 27's fuzzing).
 */
function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

/** A key that is itself bad is named with JSON escapes, so the answer shows what was sent. */
function keyName(key: string, invalidUtf8: boolean): string {
  return unsafeTextReason(key, invalidUtf8) ? JSON.stringify(key).slice(1, -1) : key;
}

/**
 * Every string (values and keys) of a parsed body or query that breaks the rule, as error details with dotted
 * field paths (`attributes.city`, `lists.0`), the way `validationDetails` names fields. Walks plain objects and
 * arrays only (a streamed body is left alone), iteratively so a deeply nested body cannot overflow the stack.
 */
export function textSafetyDetails(value: unknown, options: TextSafetyOptions = {}): ErrorDetail[] {
  const invalidUtf8 = options.invalidUtf8 ?? false;
  const details: ErrorDetail[] = [];
  const stack: { value: unknown; field: string }[] = [{ value, field: '' }];
  while (stack.length > 0 && details.length < MAX_TEXT_DETAILS) {
    const { value: current, field } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unsafeTextReason(current, invalidUtf8);
      if (reason) details.push({ field: field || (options.root ?? 'body'), reason });
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const prefix = field ? `${field}.` : '';
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], field: `${prefix}${i}` });
    } else if (isPlainObject(current)) {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const name = `${prefix}${keyName(key, invalidUtf8)}`;
        const reason = unsafeTextReason(key, invalidUtf8);
        if (reason) details.push({ field: name, reason: `name ${reason}` });
        stack.push({ value: current[key], field: name });
      }
    }
  }
  return details.slice(0, MAX_TEXT_DETAILS);
}
