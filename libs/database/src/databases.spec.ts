import { configWith } from '@missive/config';
import { Databases } from './databases';

describe('Databases', () => {
  it('R-T2: a regional instance holds a connection to its own region only', () => {
    const databases = new Databases(configWith({ REGIONS: 'NA' }), { global: [], regional: [] });
    expect(databases.all().map((d) => d.name)).toEqual(['global', 'na']);
    expect(() => databases.forRegion('EEA')).toThrow(/does not serve region EEA/);
    expect(databases.forRegion('NA')).toBeDefined();
  });

  it('single-node mode serves both regions', () => {
    const databases = new Databases(configWith({}), { global: [], regional: [] });
    expect(databases.all().map((d) => d.name)).toEqual(['global', 'na', 'eea']);
  });
});
