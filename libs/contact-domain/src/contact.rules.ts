import type { Region } from '@missive/contracts';
import { validateConsent, type ConsentRecord, type FieldProblem } from './consent.rules';
import { emailSyntaxProblem, normaliseEmail } from './email.rules';
import { minorProblem, type MinimumAges } from './minor.rules';
import { resolveRegion, type TenantFacts } from './region.rules';
import { isSpecialCategoryAttribute } from './special-category.rules';

export type { FieldProblem } from './consent.rules';
// R-C8 double opt-in (double-opt-in.rules.ts), exported with the contact rules it extends.
export * from './double-opt-in.rules';
export type { TenantFacts } from './region.rules';

/** GDPR Art. 6 lawful bases (R-T3). */
export const LAWFUL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];

export const CONTACT_STATUSES = [
  'active',
  'pending',
  'unsubscribed',
  'suppressed',
  'bounced',
  'complained',
  'restricted',
] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** The fields a client may write, through the API or an import (API.md). */
export const WRITABLE_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'phone',
  'locale',
  'region',
  'lawfulBasis',
  'consent',
  'birthDate',
  'trackingConsent',
  'lists',
  'tags',
  'attributes',
] as const;
const WRITABLE = new Set<string>(WRITABLE_FIELDS);

/** A contact that passed every rule, in normal form: what the repository writes. */
export interface ContactData {
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  locale: string | null;
  region: Region;
  lawfulBasis: LawfulBasis;
  consent: ConsentRecord | null;
  birthDate: string | null;
  trackingConsent: boolean;
  lists: string[];
  tags: string[];
  attributes: Record<string, string | number | boolean | null>;
}

export type ContactValidation = { ok: true; contact: ContactData } | { ok: false; errors: FieldProblem[] };

const LIMITS = { name: 200, phone: 32, label: 100, labels: 100, attributeKey: 100, attributes: 100, value: 1000 };
const PHONE = /^\+?[0-9][0-9 ().-]{2,31}$/;
const LOCALE = /^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/;
const LAWFUL = new Set<string>(LAWFUL_BASES);

function optionalText(
  raw: Record<string, unknown>,
  field: string,
  max: number,
  problems: FieldProblem[],
  pattern?: RegExp,
): string | null {
  const value = raw[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.push({ field, reason: 'must be a string' });
    return null;
  }
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (trimmed.length > max) problems.push({ field, reason: `is longer than ${max} characters` });
  else if (pattern && !pattern.test(trimmed)) problems.push({ field, reason: 'is not in a valid format' });
  return trimmed;
}

function labels(raw: unknown, field: string, problems: FieldProblem[]): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push({ field, reason: 'must be a list of strings' });
    return [];
  }
  // Sorted and de-duplicated, so the same set always compares equal (an identical re-import changes nothing). Most
  // lists hold a few labels: those are de-duplicated by scanning, and sorted only when they are not already.
  const seen = raw.length > SMALL_LIST ? new Set<string>() : null;
  const out: string[] = [];
  let sorted = true;
  for (const item of raw) {
    if (typeof item !== 'string') {
      problems.push({ field, reason: 'must be a list of strings' });
      return [];
    }
    const label = item.trim();
    if (!label) continue;
    if (label.length > LIMITS.label) {
      problems.push({ field, reason: `has an entry longer than ${LIMITS.label} characters` });
      return [];
    }
    if (seen ? seen.has(label) : out.includes(label)) continue;
    seen?.add(label);
    if (out.length > 0 && out[out.length - 1] > label) sorted = false;
    out.push(label);
  }
  if (out.length > LIMITS.labels) problems.push({ field, reason: `has more than ${LIMITS.labels} entries` });
  return sorted ? out : out.sort();
}

/** Lists up to this long are de-duplicated without a Set. */
const SMALL_LIST = 16;

function attributesOf(raw: unknown, problems: FieldProblem[]): ContactData['attributes'] {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ field: 'attributes', reason: 'must be an object' });
    return {};
  }
  const out: ContactData['attributes'] = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > LIMITS.attributes) {
    problems.push({ field: 'attributes', reason: `has more than ${LIMITS.attributes} keys` });
  }
  for (const [key, value] of entries) {
    const field = `attributes.${key}`;
    if (!key || key.length > LIMITS.attributeKey) {
      problems.push({ field, reason: `name must be 1 to ${LIMITS.attributeKey} characters` });
    } else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      problems.push({ field, reason: 'must be a string, number, boolean or null' });
    } else if (typeof value === 'string' && value.length > LIMITS.value) {
      problems.push({ field, reason: `is longer than ${LIMITS.value} characters` });
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      problems.push({ field, reason: 'must be a finite number' });
    } else {
      out[key] = value as string | number | boolean | null;
    }
  }
  return out;
}

/**
 * The one rule set for a contact, used by the API and the import alike (R-C1–C5, R-T3). It takes the body as
 * the client sent it (API.md field names) and either returns the contact in normal form or every failing field
 * with its reason — never only the first one (R-C5).
 */
export function validateContactInput(
  raw: unknown,
  tenant: TenantFacts,
  minimumAges: MinimumAges,
  now: Date = new Date(),
): ContactValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: 'body', reason: 'must be a JSON object' }] };
  }
  const input = raw as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(input)) if (!WRITABLE.has(key)) problems.push({ field: key, reason: 'unknown field' });

  // R-C1
  let email = '';
  if (typeof input.email !== 'string') {
    problems.push({ field: 'email', reason: input.email === undefined ? 'is required' : 'must be a string' });
  } else {
    email = normaliseEmail(input.email);
    const problem = emailSyntaxProblem(email);
    if (problem) problems.push({ field: 'email', reason: problem });
  }

  const attributes = attributesOf(input.attributes, problems);

  // R-T3
  const { region, problem: regionProblem } = resolveRegion(input.region, attributes.country, tenant);
  if (regionProblem) problems.push({ field: 'region', reason: regionProblem });
  let lawfulBasis: LawfulBasis = 'consent';
  if (input.lawfulBasis === undefined || input.lawfulBasis === null || input.lawfulBasis === '') {
    problems.push({ field: 'lawfulBasis', reason: 'is required' });
  } else if (typeof input.lawfulBasis !== 'string' || !LAWFUL.has(input.lawfulBasis)) {
    problems.push({ field: 'lawfulBasis', reason: `must be one of ${LAWFUL_BASES.join(', ')}` });
  } else {
    lawfulBasis = input.lawfulBasis as LawfulBasis;
  }

  // R-C2
  const { consent, problems: consentProblems } = validateConsent(input.consent, now);
  problems.push(...consentProblems);
  if (input.lawfulBasis === 'consent' && (input.consent === undefined || input.consent === null)) {
    problems.push({ field: 'consent', reason: 'is required when lawfulBasis is consent (givenAt and source)' });
  }

  // R-C3
  let birthDate: string | null = null;
  if (input.birthDate !== undefined && input.birthDate !== null && input.birthDate !== '') {
    if (typeof input.birthDate !== 'string') problems.push({ field: 'birthDate', reason: 'must be YYYY-MM-DD' });
    else {
      const problem = minorProblem(input.birthDate, region, minimumAges, now);
      if (problem) problems.push({ field: 'birthDate', reason: problem });
      else birthDate = input.birthDate;
    }
  }

  // R-C4
  const explicit = consent?.explicit === true;
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== '' && isSpecialCategoryAttribute(key) && !explicit) {
      problems.push({
        field: `attributes.${key}`,
        reason: 'is special-category data (GDPR Art. 9): it needs a consent record marked explicit',
      });
    }
  }

  let trackingConsent = false;
  if (input.trackingConsent !== undefined && input.trackingConsent !== null) {
    if (typeof input.trackingConsent !== 'boolean') {
      problems.push({ field: 'trackingConsent', reason: 'must be true or false' });
    } else trackingConsent = input.trackingConsent;
  }

  const contact: ContactData = {
    email,
    firstName: optionalText(input, 'firstName', LIMITS.name, problems),
    lastName: optionalText(input, 'lastName', LIMITS.name, problems),
    phone: optionalText(input, 'phone', LIMITS.phone, problems, PHONE),
    locale: optionalText(input, 'locale', 35, problems, LOCALE),
    region,
    lawfulBasis,
    consent,
    birthDate,
    trackingConsent,
    lists: labels(input.lists, 'lists', problems),
    tags: labels(input.tags, 'tags', problems),
    attributes,
  };
  return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, contact };
}
