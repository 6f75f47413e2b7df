import {
  bootstrapState,
  decideStaffAction,
  isWellFormedStaffToken,
  mayRunLifecycle,
  type StaffAction,
  type StaffIdentity,
} from './staff.rules';

const naSupport: StaffIdentity = { id: 's1', name: 'Ana', role: 'support', region: 'NA' };
const eeaAdmin: StaffIdentity = { id: 's2', name: 'Eva', role: 'admin', region: 'EEA' };
const why = 'ticket 4711: customer asked';

describe('staff rules', () => {
  it('R-A1: only admins run the tenant lifecycle', () => {
    expect(mayRunLifecycle(naSupport)).toBe(false);
    expect(mayRunLifecycle(eeaAdmin)).toBe(true);
  });

  it('R-T4: acting on a tenant of the own region needs no justification and is not cross-region', () => {
    for (const kind of ['tenant-read', 'tenant-write'] as const) {
      expect(decideStaffAction(naSupport, { kind, tenantRegion: 'NA' }, undefined)).toEqual({
        allowed: true,
        crossRegion: false,
        justification: null,
      });
    }
    // A justification sent anyway is not recorded: the access was not cross-region.
    expect(decideStaffAction(eeaAdmin, { kind: 'tenant-write', tenantRegion: 'EEA' }, why)).toMatchObject({
      allowed: true,
      justification: null,
    });
  });

  it('R-T4, R-A1: reads and writes on another region’s tenant are refused without a justification', () => {
    const actions: StaffAction[] = [
      { kind: 'tenant-read', tenantRegion: 'EEA' },
      { kind: 'tenant-write', tenantRegion: 'EEA' },
      { kind: 'incident', tenantRegions: ['NA', 'EEA'] },
      { kind: 'audit-read', tenantRegion: 'EEA' },
      { kind: 'staff-token-revoke', role: 'support', region: 'EEA' },
    ];
    const naAdmin: StaffIdentity = { ...naSupport, role: 'admin' };
    for (const action of actions) {
      for (const header of [undefined, null, '', '   ']) {
        expect(decideStaffAction(naAdmin, action, header)).toEqual({
          allowed: false,
          crossRegion: true,
          code: 'justification_required',
          reason: expect.stringContaining('X-Justification'),
        });
      }
    }
  });

  it('R-T4, R-A1: with a justification they are allowed, cross-region, and the trimmed text is kept for the audit', () => {
    const actions: StaffAction[] = [
      { kind: 'tenant-read', tenantRegion: 'NA' },
      { kind: 'tenant-write', tenantRegion: 'NA' },
      { kind: 'incident', tenantRegions: ['EEA', 'NA'] },
      { kind: 'audit-read', tenantRegion: 'NA' },
      { kind: 'staff-token-revoke', role: 'admin', region: 'NA' },
    ];
    for (const action of actions) {
      expect(decideStaffAction(eeaAdmin, action, `  ${why} `)).toEqual({
        allowed: true,
        crossRegion: true,
        justification: why,
      });
    }
  });

  it('R-A2: an incident naming only own-region tenants needs no justification', () => {
    expect(decideStaffAction(eeaAdmin, { kind: 'incident', tenantRegions: ['EEA', 'EEA'] }, null)).toEqual({
      allowed: true,
      crossRegion: false,
      justification: null,
    });
  });

  it('R-A1: creating a tenant in another region is allowed without a justification but marked cross-region', () => {
    expect(decideStaffAction(eeaAdmin, { kind: 'tenant-create', region: 'NA' }, undefined)).toEqual({
      allowed: true,
      crossRegion: true,
      justification: null,
    });
    expect(decideStaffAction(eeaAdmin, { kind: 'tenant-create', region: 'NA' }, why)).toMatchObject({
      justification: why,
    });
  });

  it('R-A1: staff tokens are issued for the issuer’s region only, justification or not', () => {
    for (const header of [undefined, why]) {
      expect(decideStaffAction(eeaAdmin, { kind: 'staff-token-issue', role: 'support', region: 'NA' }, header)).toEqual(
        {
          allowed: false,
          crossRegion: true,
          code: 'forbidden_region',
          reason: expect.stringContaining('region EEA only'),
        },
      );
    }
    expect(decideStaffAction(eeaAdmin, { kind: 'staff-token-issue', role: 'admin', region: 'EEA' }, null)).toEqual({
      allowed: true,
      crossRegion: false,
      justification: null,
    });
  });

  it('R-A1: a staff token’s role is at most the issuer’s', () => {
    expect(
      decideStaffAction(naSupport, { kind: 'staff-token-issue', role: 'admin', region: 'NA' }, null),
    ).toMatchObject({
      allowed: false,
      code: 'forbidden_role',
    });
    expect(
      decideStaffAction(naSupport, { kind: 'staff-token-revoke', role: 'admin', region: 'NA' }, null),
    ).toMatchObject({
      allowed: false,
      code: 'forbidden_role',
    });
    expect(
      decideStaffAction(eeaAdmin, { kind: 'staff-token-issue', role: 'support', region: 'EEA' }, null),
    ).toMatchObject({
      allowed: true,
    });
  });

  it('R-A1: an audit read without a tenant is the caller’s own scope and needs nothing', () => {
    expect(decideStaffAction(naSupport, { kind: 'audit-read', tenantRegion: null }, undefined)).toEqual({
      allowed: true,
      crossRegion: false,
      justification: null,
    });
  });

  it('R-T4: an overlong justification or one with control characters is refused as invalid', () => {
    const read: StaffAction = { kind: 'tenant-read', tenantRegion: 'EEA' };
    expect(decideStaffAction(naSupport, read, 'x'.repeat(501))).toMatchObject({
      allowed: false,
      code: 'invalid_justification',
    });
    expect(decideStaffAction(naSupport, read, 'x'.repeat(500))).toMatchObject({ allowed: true });
    expect(decideStaffAction(naSupport, read, 'ticket\u0000 1')).toMatchObject({
      allowed: false,
      code: 'invalid_justification',
    });
  });

  it('R-A1, R-X2: the bootstrap token expires after its TTL and, where configured, retires once an admin exists', () => {
    const base = { startedAtMs: 1_000_000, ttlSeconds: 60, retireOnAdmin: false, adminExists: false };
    expect(bootstrapState({ ...base, nowMs: 1_000_000 })).toBe('active');
    expect(bootstrapState({ ...base, nowMs: 1_059_999 })).toBe('active');
    expect(bootstrapState({ ...base, nowMs: 1_060_000 })).toBe('expired');
    expect(bootstrapState({ ...base, nowMs: 1_000_001, adminExists: true })).toBe('active');
    expect(bootstrapState({ ...base, nowMs: 1_000_001, adminExists: true, retireOnAdmin: true })).toBe('retired');
    expect(bootstrapState({ ...base, nowMs: 1_000_001, retireOnAdmin: true })).toBe('active');
  });

  it('R-A1: staff tokens are mst_ + 43 base64url characters', () => {
    expect(isWellFormedStaffToken(`mst_${'A'.repeat(43)}`)).toBe(true);
    expect(isWellFormedStaffToken(`mk_${'A'.repeat(43)}`)).toBe(false);
    expect(isWellFormedStaffToken('mst_short')).toBe(false);
  });
});
