import { isRegion, type Region } from '@missive/contracts';

/** The tenant facts the contact rules need; structurally a subset of the tenancy library's TenantContext. */
export interface TenantFacts {
  region: Region;
  transferSafeguard: string | null;
}

/** EU member states plus Iceland, Liechtenstein and Norway (the EEA), and the UK and Switzerland (R-T3). */
const EEA_REGIME_COUNTRIES = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
  'GB',
  'UK',
  'CH',
]);
const NA_REGIME_COUNTRIES = new Set(['US', 'CA']);

/** The regime a country's residents fall under, or null when the country does not decide it. */
export function regionOfCountry(country: string): Region | null {
  const code = country.trim().toUpperCase();
  if (EEA_REGIME_COUNTRIES.has(code)) return 'EEA';
  if (NA_REGIME_COUNTRIES.has(code)) return 'NA';
  return null;
}

/**
 * R-T3: the contact's regime. An explicit `region` wins; else `attributes.country` when it decides (UK and Swiss
 * data subjects get the EEA regime); else the tenant's region. An explicit region that contradicts an
 * EEA-regime country is refused: a UK resident cannot be put under the NA regime. An EEA contact of an NA tenant
 * is an international transfer, accepted only with the tenant's recorded safeguard.
 */
export function resolveRegion(
  rawRegion: unknown,
  country: unknown,
  tenant: TenantFacts,
): { region: Region; problem: string | null } {
  const countryRegion = typeof country === 'string' && country ? regionOfCountry(country) : null;
  let region: Region = countryRegion ?? tenant.region;
  if (rawRegion !== undefined && rawRegion !== null && rawRegion !== '') {
    if (!isRegion(rawRegion)) return { region, problem: 'must be NA or EEA' };
    if (countryRegion === 'EEA' && rawRegion === 'NA') {
      return { region, problem: 'must be EEA for a data subject in the EEA, the UK or Switzerland' };
    }
    region = rawRegion;
  }
  if (region === 'EEA' && tenant.region === 'NA' && !tenant.transferSafeguard) {
    return {
      region,
      problem:
        'EEA contact of an NA tenant is an international transfer: the tenant has no transfer safeguard on record',
    };
  }
  return { region, problem: null };
}
