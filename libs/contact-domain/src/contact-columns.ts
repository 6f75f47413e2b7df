import type { ConsentRecord } from './consent.rules';
import type { ContactStateRow } from './contact-events';
import type { ContactData } from './contact.rules';

/**
 * The written columns of a contacts row, in the order of `contactColumnValues` (API upsert, PATCH, the import's
 * staging table and rectification alike), so every writer stores a valid contact the same way.
 */
export const CONTACT_COLUMNS = [
  'email',
  'first_name',
  'last_name',
  'phone',
  'locale',
  'region',
  'lawful_basis',
  'consent',
  'tracking_consent',
  'birth_date',
  'attributes',
  'lists',
  'tags',
] as const;

/** The SQL casts of CONTACT_COLUMNS, for a VALUES list or a row constructor starting at parameter `first`. */
export function contactColumnPlaceholders(first: number): string {
  const casts = ['', '', '', '', '', '', '', '::jsonb', '', '::date', '::jsonb', '::text[]', '::text[]'];
  return casts.map((cast, i) => `$${first + i}${cast}`).join(', ');
}

/** A valid contact's values in the order of CONTACT_COLUMNS, as query parameters. */
export function contactColumnValues(contact: ContactData): unknown[] {
  return [
    contact.email,
    contact.firstName,
    contact.lastName,
    contact.phone,
    contact.locale,
    contact.region,
    contact.lawfulBasis,
    contact.consent ? JSON.stringify(contact.consent) : null,
    contact.trackingConsent,
    contact.birthDate,
    JSON.stringify(contact.attributes),
    contact.lists,
    contact.tags,
  ];
}

/** A stored contact with what its API input shape needs (a contacts row read with CONTACT_STATE_SQL + consent). */
export interface StoredContact extends ContactStateRow {
  consent: ConsentRecord | null;
}

/**
 * The stored contact in the API's input shape, so a change (PATCH, rectification) is checked by the same rules as
 * a create: `validateContactInput({ ...contactInput(row), ...changes }, tenant)`.
 */
export function contactInput(row: StoredContact): Record<string, unknown> {
  return {
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    locale: row.locale,
    region: row.region,
    lawfulBasis: row.lawful_basis,
    consent: row.consent,
    birthDate: row.birth_date,
    trackingConsent: row.tracking_consent,
    lists: row.lists,
    tags: row.tags,
    attributes: row.attributes,
  };
}
