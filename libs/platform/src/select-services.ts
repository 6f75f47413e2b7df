/**
 * `SERVICES`: which of a process's services it runs, by name, comma-separated; unset or empty runs them all (the
 * single-node host, every service). A per-region deployment runs the regional services once per region (`REGIONS=NA` and `REGIONS=EEA`)
 * and support once (docs/operations.md). Throws naming an unknown name.
 */
export function selectServices<T extends { name: string }>(all: readonly T[], spec: string | undefined): T[] {
  const wanted = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0) return [...all];
  const unknown = wanted.filter((name) => !all.some((s) => s.name === name));
  if (unknown.length) {
    throw new Error(
      `SERVICES names ${unknown.map((n) => `"${n}"`).join(', ')}, not one of ${all.map((s) => s.name).join(', ')}`,
    );
  }
  return all.filter((s) => wanted.includes(s.name));
}
