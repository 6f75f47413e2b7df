import type { Region } from '@missive/contracts';

export type StaffRole = 'support' | 'admin';

/** Who is calling the support API (R-A1): a role and a home region. */
export interface StaffIdentity {
  /** `bootstrap` for SUPPORT_BOOTSTRAP_TOKEN, else the staff row id. */
  id: string;
  name: string;
  role: StaffRole;
  region: Region;
}

export const STAFF_TOKEN_PREFIX = 'mst_';
const STAFF_TOKEN_PATTERN = /^mst_[A-Za-z0-9_-]{43}$/;
export const MAX_JUSTIFICATION_LENGTH = 500;
/** Control characters have no place in a sentence and NUL cannot be stored in the audit log's jsonb. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function isWellFormedStaffToken(candidate: string): boolean {
  return STAFF_TOKEN_PATTERN.test(candidate);
}

/** R-A1: `support` is read-only; only `admin` runs the tenant lifecycle and manages staff tokens. */
export function mayRunLifecycle(staff: StaffIdentity): boolean {
  return staff.role === 'admin';
}

export function actorOf(staff: StaffIdentity): string {
  return `staff:${staff.id}`;
}

const ROLE_RANK: Record<StaffRole, number> = { support: 0, admin: 1 };

/**
 * Every staff action, as far as region and role matter (R-A1, R-T4):
 * - `tenant-read` / `tenant-write`: a tenant's data or lifecycle (reading it, the purge certificate; API keys,
 *   termination, legal hold, privacy referrals);
 * - `tenant-create`: a new tenant in `region`;
 * - `incident`: an incident naming tenants of these regions;
 * - `staff-token-issue` / `staff-token-revoke`: a staff token of this role and region;
 * - `audit-read`: the audit entries of one tenant of `tenantRegion`, or (null) the caller's own scope.
 */
export type StaffAction =
  | { kind: 'tenant-read' | 'tenant-write'; tenantRegion: Region }
  | { kind: 'tenant-create'; region: Region }
  | { kind: 'incident'; tenantRegions: readonly Region[] }
  | { kind: 'staff-token-issue' | 'staff-token-revoke'; role: StaffRole; region: Region }
  | { kind: 'audit-read'; tenantRegion: Region | null };

export type StaffRefusal = 'justification_required' | 'invalid_justification' | 'forbidden_region' | 'forbidden_role';

/** Allowed (and whether it crossed regions, with the justification to audit), or refused with a code and reason. */
export type StaffDecision =
  | { allowed: true; crossRegion: boolean; justification: string | null }
  | { allowed: false; crossRegion: boolean; code: StaffRefusal; reason: string };

function refused(code: StaffRefusal, reason: string, crossRegion: boolean): StaffDecision {
  return { allowed: false, crossRegion, code, reason };
}

/** The regions of another home than the caller's that this action touches. */
function foreignRegions(staff: StaffIdentity, action: StaffAction): Region[] {
  switch (action.kind) {
    case 'tenant-read':
    case 'tenant-write':
      return action.tenantRegion === staff.region ? [] : [action.tenantRegion];
    case 'tenant-create':
    case 'staff-token-issue':
    case 'staff-token-revoke':
      return action.region === staff.region ? [] : [action.region];
    case 'incident':
      return [...new Set(action.tenantRegions.filter((r) => r !== staff.region))];
    case 'audit-read':
      return action.tenantRegion === null || action.tenantRegion === staff.region ? [] : [action.tenantRegion];
  }
}

/**
 * R-A1, R-T4: may this staff member do this, and is it a cross-region access? One rule for reads and writes alike:
 * - within the caller's home region: allowed, not cross-region;
 * - a tenant (or the audit entries of a tenant, or an incident naming a tenant) of another region: only with an
 *   `X-Justification` (403 `justification_required` without), audited as cross-region with its text;
 * - creating a tenant in another region: allowed without a justification (the new tenant holds no data, and the
 *   bootstrap admin opens the other region this way), audited as cross-region; its API key then needs one;
 * - a staff token for another region: refused even with a justification (`forbidden_region`), except that an
 *   admin may revoke one with a justification (a leaked token must be stoppable from anywhere); a role above the
 *   caller's: refused (`forbidden_role`);
 * - an audit read without a tenant is confined to the caller's region (entries of its tenants, and entries of no
 *   tenant) by the query, so it needs nothing here.
 */
export function decideStaffAction(
  staff: StaffIdentity,
  action: StaffAction,
  justificationHeader: string | null | undefined,
): StaffDecision {
  const foreign = foreignRegions(staff, action);
  const crossRegion = foreign.length > 0;
  const text = justificationHeader?.trim() || null;
  if (text && text.length > MAX_JUSTIFICATION_LENGTH) {
    return refused(
      'invalid_justification',
      `X-Justification must be at most ${MAX_JUSTIFICATION_LENGTH} characters`,
      crossRegion,
    );
  }
  if (text && CONTROL_CHARACTERS.test(text)) {
    return refused('invalid_justification', 'X-Justification must not contain control characters', crossRegion);
  }
  if (
    (action.kind === 'staff-token-issue' || action.kind === 'staff-token-revoke') &&
    ROLE_RANK[action.role] > ROLE_RANK[staff.role]
  ) {
    return refused(
      'forbidden_role',
      `role ${staff.role} may not manage staff tokens of role ${action.role}`,
      crossRegion,
    );
  }
  if (!crossRegion) return { allowed: true, crossRegion: false, justification: null };
  if (action.kind === 'staff-token-issue') {
    return refused(
      'forbidden_region',
      `staff of region ${staff.region} issue staff tokens for region ${staff.region} only`,
      true,
    );
  }
  if (action.kind === 'tenant-create') return { allowed: true, crossRegion: true, justification: text };
  if (!text) {
    return refused(
      'justification_required',
      `staff of region ${staff.region} need an X-Justification header to act on region ${foreign.join(', ')}`,
      true,
    );
  }
  return { allowed: true, crossRegion: true, justification: text };
}

/** Whether SUPPORT_BOOTSTRAP_TOKEN still stands for its admin, or why not. */
export type BootstrapState = 'active' | 'expired' | 'retired';

/**
 * R-A1, R-X2: the bootstrap token is a first key, not a standing one. It is accepted for SUPPORT_BOOTSTRAP_TTL_SECONDS
 * after the service started; in production it also retires as soon as an admin staff token of its region exists,
 * so once it has been rotated into a real (revocable, named) admin token it opens nothing.
 */
export function bootstrapState(facts: {
  startedAtMs: number;
  nowMs: number;
  ttlSeconds: number;
  retireOnAdmin: boolean;
  adminExists: boolean;
}): BootstrapState {
  if (facts.nowMs - facts.startedAtMs >= facts.ttlSeconds * 1000) return 'expired';
  if (facts.retireOnAdmin && facts.adminExists) return 'retired';
  return 'active';
}
