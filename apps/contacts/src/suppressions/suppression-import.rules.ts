import type { FieldProblem } from '@missive/contact-domain';
import { fieldWithInvalidText } from '../imports/import-row.rules';
import { validateSuppressionInput, type SuppressionInput } from './suppression.rules';

/** Where a suppression CSV keeps its columns: `email` (required) and `reason` (optional); others are ignored. */
export interface SuppressionColumns {
  email: number;
  reason: number | null;
  count: number;
  /** Problems of the header that reject no row (unknown or repeated columns), reported on line 1. */
  problems: FieldProblem[];
}

/** Reads the header of a suppression CSV (R-U5): where its columns are, or the problem when it has no `email` column. */
export function planSuppressionColumns(
  header: string[],
): { ok: true; columns: SuppressionColumns } | { ok: false; problems: FieldProblem[] } {
  const names = header.map((h) => h.trim());
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  names.forEach((name) => {
    if (seen.has(name)) problems.push({ field: name, reason: 'repeated column: only the first one is read' });
    else if (name !== 'email' && name !== 'reason') {
      problems.push({ field: name || '(empty)', reason: 'unknown column, ignored: columns are email and reason' });
    }
    seen.add(name);
  });
  const email = names.indexOf('email');
  if (email < 0) return { ok: false, problems: [{ field: 'email', reason: 'column is missing' }] };
  const reason = names.indexOf('reason');
  return { ok: true, columns: { email, reason: reason < 0 ? null : reason, count: names.length, problems } };
}

/**
 * One data row of a suppression CSV, checked by the same rule as `POST /v1/suppressions` (the address in the
 * contacts' normal form, R-C1): the suppression, or every problem of the row. An empty `reason` cell is as if the
 * field were not given.
 */
export function suppressionOfRecord(
  columns: SuppressionColumns,
  values: string[],
  notUtf8 = false,
): { ok: true; suppression: SuppressionInput } | { ok: false; errors: FieldProblem[] } {
  if (values.length !== columns.count) {
    return {
      ok: false,
      errors: [{ field: 'row', reason: `has ${values.length} fields; the header has ${columns.count}` }],
    };
  }
  const input: Record<string, string> = { email: values[columns.email] };
  const reason = columns.reason === null ? '' : values[columns.reason];
  if (reason !== '') input.reason = reason;
  if (notUtf8) {
    return { ok: false, errors: [{ field: fieldWithInvalidText(input) ?? 'row', reason: 'is not valid UTF-8' }] };
  }
  return validateSuppressionInput(input);
}
