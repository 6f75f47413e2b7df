/** Prints a result: JSON for scripts (`--json`), else `key: value` lines a person reads. */
export function print(value: unknown, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value)}\n`);
    return;
  }
  process.stdout.write(`${human(value)}\n`);
}

function human(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return value.map((v) => `${indent}- ${human(v, `${indent}  `).trimStart()}`).join('\n');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) =>
        v && typeof v === 'object' ? `${indent}${k}:\n${human(v, `${indent}  `)}` : `${indent}${k}: ${String(v)}`,
      )
      .join('\n');
  }
  return `${indent}${String(value)}`;
}
