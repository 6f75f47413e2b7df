import type { ContactData } from '@missive/contact-domain';

/**
 * PostgreSQL COPY text format for the import's staging table: one line per contact, tab-separated, in the
 * order of CONTACT_COLUMNS; `\N` is NULL; backslash, tab, newline and carriage return are escaped.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const NEEDS_ARRAY_ESCAPE = /["\\]/;

export function copyEscape(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function text(value: string | null): string {
  return value === null ? '\\N' : copyEscape(value);
}

/** A text[] literal: every element quoted, `"` and `\` backslash-escaped inside. */
export function arrayLiteral(values: string[]): string {
  if (values.length === 0) return '{}';
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += `${i > 0 ? ',' : ''}"${NEEDS_ARRAY_ESCAPE.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}

export function copyLine(c: ContactData): string {
  return [
    copyEscape(c.email),
    text(c.firstName),
    text(c.lastName),
    text(c.phone),
    text(c.locale),
    c.region,
    c.lawfulBasis,
    c.consent ? copyEscape(JSON.stringify(c.consent)) : '\\N',
    c.trackingConsent ? 't' : 'f',
    text(c.birthDate),
    copyEscape(JSON.stringify(c.attributes)),
    copyEscape(arrayLiteral(c.lists)),
    copyEscape(arrayLiteral(c.tags)),
  ].join('\t');
}
