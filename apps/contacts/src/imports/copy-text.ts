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

/** One contact as a line of CONTACT_COLUMNS, without its line break (built by concatenation: one per row). */
export function copyLine(c: ContactData): string {
  return (
    copyEscape(c.email) +
    '\t' +
    text(c.firstName) +
    '\t' +
    text(c.lastName) +
    '\t' +
    text(c.phone) +
    '\t' +
    text(c.locale) +
    '\t' +
    c.region +
    '\t' +
    c.lawfulBasis +
    '\t' +
    (c.consent ? copyEscape(JSON.stringify(c.consent)) : '\\N') +
    '\t' +
    (c.trackingConsent ? 't' : 'f') +
    '\t' +
    text(c.birthDate) +
    '\t' +
    copyEscape(JSON.stringify(c.attributes)) +
    '\t' +
    copyEscape(arrayLiteral(c.lists)) +
    '\t' +
    copyEscape(arrayLiteral(c.tags))
  );
}
