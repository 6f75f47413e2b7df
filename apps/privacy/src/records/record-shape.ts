/** Column name → API field name, remembered: an export converts the same few dozen names millions of times. */
const fieldNames = new Map<string, string>();

function fieldName(column: string): string {
  let name = fieldNames.get(column);
  if (name === undefined) {
    name = column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    fieldNames.set(column, name);
  }
  return name;
}

/**
 * How a stored row is shown to the tenant (access results, the export): column names in the API's camelCase, and
 * without `tenant_id` — the caller already knows who it is.
 */
export function toApiRecord(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column in row) {
    if (column === 'tenant_id') continue;
    const value = row[column];
    out[fieldName(column)] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}
