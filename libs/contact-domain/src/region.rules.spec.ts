import { regionOfCountry, resolveRegion } from './region.rules';

const NA = { region: 'NA' as const, transferSafeguard: null };
const NA_SCC = { region: 'NA' as const, transferSafeguard: 'SCC' };
const EEA = { region: 'EEA' as const, transferSafeguard: null };

describe('region rules (R-T3)', () => {
  it('R-T3: defaults to the tenant’s region', () => {
    expect(resolveRegion(undefined, undefined, NA)).toEqual({ region: 'NA', problem: null });
    expect(resolveRegion(undefined, undefined, EEA)).toEqual({ region: 'EEA', problem: null });
  });

  it('R-T3: UK and Swiss data subjects get the EEA regime', () => {
    expect(regionOfCountry('gb')).toBe('EEA');
    expect(regionOfCountry('CH')).toBe('EEA');
    expect(regionOfCountry('US')).toBe('NA');
    expect(regionOfCountry('BR')).toBeNull();
    expect(resolveRegion(undefined, 'CH', NA_SCC).region).toBe('EEA');
    expect(resolveRegion('NA', 'GB', NA_SCC).problem).toContain('must be EEA');
  });

  it('R-T3: an EEA contact of an NA tenant needs a transfer safeguard', () => {
    expect(resolveRegion('EEA', undefined, NA).problem).toContain('safeguard');
    expect(resolveRegion('EEA', undefined, NA_SCC)).toEqual({ region: 'EEA', problem: null });
    expect(resolveRegion('APAC', undefined, NA).problem).toBe('must be NA or EEA');
  });
});
