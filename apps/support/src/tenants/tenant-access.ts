import { Injectable } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { NotFoundError } from '@missive/http';
import type { StaffCall } from '../staff/staff-call';
import { decideStaffAction } from '../staff/staff.rules';
import { TenantsRepository, type TenantRecord } from './tenants.repository';

/** Which audit entries a staff call may list: one tenant's, or a region's (its tenants' and those of no tenant). */
export interface AuditScope {
  tenantId?: string;
  region?: Region;
}

/**
 * The region check of every staff call that names a tenant (R-A1, R-T4): it loads the tenant, applies
 * `decideStaffAction` to the call (refusing, or recording the cross-region access and its justification for the
 * audit entry) and only then hands the tenant over.
 */
@Injectable()
export class TenantAccess {
  constructor(private readonly tenants: TenantsRepository) {}

  /** The tenant, after the caller's region access was checked; 404 when unknown. */
  async load(call: StaffCall, id: string, kind: 'read' | 'write'): Promise<TenantRecord> {
    call.tenantId = id;
    const tenant = await this.tenants.findById(id);
    if (!tenant) throw new NotFoundError('Tenant');
    call.authorize(
      decideStaffAction(
        call.staff,
        { kind: kind === 'read' ? 'tenant-read' : 'tenant-write', tenantRegion: tenant.region },
        call.justificationHeader,
      ),
    );
    return tenant;
  }

  /**
   * R-A1: audit reads are region-scoped. With `tenantId`: that tenant's entries (another region's only with a
   * justification, audited as cross-region); an unknown id lists nothing. Without: the entries of the caller's
   * region's tenants and the entries of no tenant (staff tokens, incidents, audit reads themselves).
   */
  async auditScope(call: StaffCall, tenantId: string | undefined): Promise<AuditScope> {
    if (!tenantId) {
      call.authorize(
        decideStaffAction(call.staff, { kind: 'audit-read', tenantRegion: null }, call.justificationHeader),
      );
      return { region: call.staff.region };
    }
    call.tenantId = tenantId;
    const tenant = await this.tenants.findById(tenantId);
    call.authorize(
      decideStaffAction(
        call.staff,
        { kind: 'audit-read', tenantRegion: tenant?.region ?? null },
        call.justificationHeader,
      ),
    );
    return tenant ? { tenantId } : { tenantId, region: call.staff.region };
  }
}
