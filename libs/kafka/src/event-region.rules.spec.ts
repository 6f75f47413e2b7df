import type { Region } from '@missive/contracts';
import { eventRegionVerdict } from './event-region.rules';

describe(eventRegionVerdict.name, () => {
  it("R-T2: accepts an event of the topic's region", () => {
    expect(eventRegionVerdict('NA', { region: 'NA' })).toEqual({ accept: true });
    expect(eventRegionVerdict('EEA', { region: 'EEA' })).toEqual({ accept: true });
  });

  it("R-T2: drops an event whose tenant is of another region than the topic's", () => {
    expect(eventRegionVerdict('NA', { region: 'EEA' })).toEqual({ accept: false, reason: 'region_mismatch' });
    expect(eventRegionVerdict('EEA', { region: 'NA' })).toEqual({ accept: false, reason: 'region_mismatch' });
  });

  it('R-T2: drops an event that names no region or an unknown one', () => {
    expect(eventRegionVerdict('NA', {} as { region: Region })).toEqual({ accept: false, reason: 'region_mismatch' });
    expect(eventRegionVerdict('NA', { region: 'na' as Region })).toEqual({ accept: false, reason: 'region_mismatch' });
  });
});
