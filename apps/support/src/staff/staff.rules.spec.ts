import { isWellFormedStaffToken, mayRunLifecycle, regionAccess, type StaffIdentity } from './staff.rules';

const naSupport: StaffIdentity = { id: 's1', name: 'Ana', role: 'support', region: 'NA' };
const eeaAdmin: StaffIdentity = { id: 's2', name: 'Eva', role: 'admin', region: 'EEA' };

describe('staff rules', () => {
  it('R-A1: only admins run the tenant lifecycle', () => {
    expect(mayRunLifecycle(naSupport)).toBe(false);
    expect(mayRunLifecycle(eeaAdmin)).toBe(true);
  });

  it('R-T4: reading a tenant of the own region needs no justification and is not cross-region', () => {
    expect(regionAccess(naSupport, 'NA', undefined, 'read')).toEqual({
      allowed: true,
      crossRegion: false,
      justification: null,
    });
  });

  it('R-T4: reading a tenant of another region without a justification is refused', () => {
    expect(regionAccess(naSupport, 'EEA', undefined, 'read')).toMatchObject({ allowed: false });
    expect(regionAccess(naSupport, 'EEA', '   ', 'read')).toMatchObject({ allowed: false });
  });

  it('R-T4: with a justification the read is allowed and marked cross-region', () => {
    expect(regionAccess(naSupport, 'EEA', ' ticket 4711: customer asked ', 'read')).toEqual({
      allowed: true,
      crossRegion: true,
      justification: 'ticket 4711: customer asked',
    });
  });

  it('R-T4: a cross-region write needs no justification but is still cross-region', () => {
    expect(regionAccess(eeaAdmin, 'NA', undefined, 'write')).toEqual({
      allowed: true,
      crossRegion: true,
      justification: null,
    });
  });

  it('R-T4: an overlong justification is refused', () => {
    expect(regionAccess(naSupport, 'EEA', 'x'.repeat(501), 'read')).toMatchObject({ allowed: false });
  });

  it('R-A1: staff tokens are mst_ + 43 base64url characters', () => {
    expect(isWellFormedStaffToken(`mst_${'A'.repeat(43)}`)).toBe(true);
    expect(isWellFormedStaffToken(`mk_${'A'.repeat(43)}`)).toBe(false);
    expect(isWellFormedStaffToken('mst_short')).toBe(false);
  });
});
