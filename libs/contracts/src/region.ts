/** A tenant's home region and a contact's data-protection regime (R-T2, R-T3). */
export const REGIONS = ['NA', 'EEA'] as const;
export type Region = (typeof REGIONS)[number];

export function isRegion(value: unknown): value is Region {
  return value === 'NA' || value === 'EEA';
}

/** Topic and key prefixes are lower-case: `na.*`, `eea.*` (R-T2). */
export function regionPrefix(region: Region): string {
  return region.toLowerCase();
}
