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

export type RegionAccess =
  | { allowed: true; crossRegion: boolean; justification: string | null }
  | { allowed: false; reason: string };

/**
 * R-T4: staff of one region read another region's tenant only with a justification (`X-Justification`), and
 * such an access is audited as cross-region. Writes by an admin of the other region (issuing a key, recording an
 * incident) need none but are flagged cross-region all the same.
 */
export function regionAccess(
  staff: StaffIdentity,
  tenantRegion: Region,
  justification: string | null | undefined,
  kind: 'read' | 'write',
): RegionAccess {
  const text = justification?.trim() || null;
  if (staff.region === tenantRegion) return { allowed: true, crossRegion: false, justification: null };
  if (kind === 'read' && !text) {
    return {
      allowed: false,
      reason: `staff of region ${staff.region} need an X-Justification header to read a tenant of region ${tenantRegion}`,
    };
  }
  if (text && text.length > MAX_JUSTIFICATION_LENGTH) {
    return { allowed: false, reason: `X-Justification must be at most ${MAX_JUSTIFICATION_LENGTH} characters` };
  }
  return { allowed: true, crossRegion: true, justification: text };
}
