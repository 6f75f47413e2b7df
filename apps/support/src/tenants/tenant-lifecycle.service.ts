import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TENANT_CHANGED, type TenantChangedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { ConflictError, NotFoundError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { Clock } from '@missive/platform';
import {
  AuditLog,
  decideLegalHold,
  decideReactivation,
  decideTermination,
  effectiveStatus,
  purgeDueAtFor,
  type LifecycleDecision,
  type LifecycleFacts,
} from '@missive/tenancy';
import { justificationOf, type StaffCall } from '../staff/staff-call';
import { actorOf } from '../staff/staff.rules';
import type { LegalHoldDto, PurgeCertificateDto, TerminationDto } from './dto/lifecycle.dto';
import type { TenantDto } from './dto/tenant.dto';
import { TenantsRepository, type TenantRecord } from './tenants.repository';
import { TenantsService, toTenantDto } from './tenants.service';

function refuseUnless(decision: LifecycleDecision): void {
  if (!decision.ok) throw new ConflictError(decision.code, decision.reason);
}

/**
 * Termination, reactivation, legal hold and the purge certificate (R-P1, R-P4, R-P5). The decisions are the plain
 * rules of libs/tenancy/termination.rules; this class locks the tenant row, applies them, audits the change (R-A3)
 * and announces it as `tenant.changed`, which evicts cached keys everywhere and wakes the privacy service's purge
 * scheduler.
 */
@Injectable()
export class TenantLifecycleService {
  constructor(
    private readonly databases: Databases,
    private readonly tenants: TenantsRepository,
    private readonly access: TenantsService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async terminate(call: StaffCall, id: string, dto: TerminationDto): Promise<TenantDto> {
    await this.access.load(call, id, 'write');
    const terminatedAt = new Date(dto.terminatedAt);
    const purgeDueAt = purgeDueAtFor(terminatedAt);
    return this.change(call, id, 'tenant.terminated', async (m, facts) => {
      refuseUnless(
        decideTermination(
          facts,
          { terminatedAt, confirmImmediatePurge: dto.confirmImmediatePurge === true },
          this.clock.now(),
        ),
      );
      const updated = await this.tenants.setTermination(m, id, { terminatedAt, purgeDueAt });
      return {
        tenant: updated,
        details: {
          terminatedAt: terminatedAt.toISOString(),
          purgeDueAt: purgeDueAt.toISOString(),
          immediatePurgeConfirmed: dto.confirmImmediatePurge === true,
          ...(dto.reason ? { reason: dto.reason } : {}),
        },
      };
    });
  }

  async reactivate(call: StaffCall, id: string): Promise<TenantDto> {
    await this.access.load(call, id, 'write');
    return this.change(call, id, 'tenant.reactivated', async (m, facts) => {
      refuseUnless(decideReactivation(facts, this.clock.now()));
      return { tenant: await this.tenants.setTermination(m, id, null), details: {} };
    });
  }

  async placeLegalHold(call: StaffCall, id: string, dto: LegalHoldDto): Promise<TenantDto> {
    await this.access.load(call, id, 'write');
    return this.change(call, id, 'tenant.legal-hold-placed', async (m, facts) => {
      refuseUnless(decideLegalHold(facts));
      return { tenant: await this.tenants.setLegalHold(m, id, dto.reason), details: { reason: dto.reason } };
    });
  }

  async releaseLegalHold(call: StaffCall, id: string): Promise<TenantDto> {
    await this.access.load(call, id, 'write');
    return this.change(call, id, 'tenant.legal-hold-released', async (m, facts) => {
      refuseUnless(decideLegalHold(facts));
      return { tenant: await this.tenants.setLegalHold(m, id, null), details: {} };
    });
  }

  /** R-P4: ids, dates and counts per store; 404 until the purge has finished. */
  async certificate(call: StaffCall, id: string): Promise<PurgeCertificateDto> {
    await this.access.load(call, id, 'read');
    const purge = await this.tenants.findPurge(id);
    if (!purge?.completedAt || !purge.deleted) throw new NotFoundError('Purge certificate');
    return {
      tenantId: purge.tenantId,
      purgeDueAt: purge.purgeDueAt.toISOString(),
      startedAt: purge.startedAt.toISOString(),
      completedAt: purge.completedAt.toISOString(),
      deleted: purge.deleted,
      deletedAfterCompletion: purge.leftoversDeleted,
      ...(purge.auditHead ? { auditHead: purge.auditHead } : {}),
    };
  }

  private async change(
    call: StaffCall,
    id: string,
    action: string,
    apply: (
      m: EntityManager,
      facts: LifecycleFacts,
    ) => Promise<{ tenant: TenantRecord; details: Record<string, unknown> }>,
  ): Promise<TenantDto> {
    const updated = await this.databases.global.transaction(async (m) => {
      const tenant = await this.tenants.lockById(m, id);
      if (!tenant) throw new NotFoundError('Tenant');
      const purge = await this.tenants.findPurge(id, m);
      const facts: LifecycleFacts = {
        terminatedAt: tenant.terminatedAt,
        purgeDueAt: tenant.purgeDueAt,
        purgedAt: tenant.purgedAt,
        legalHoldReason: tenant.legalHoldReason,
        purgeStartedAt: purge?.startedAt ?? null,
      };
      const { tenant: changed, details } = await apply(m, facts);
      await this.audit.append(
        {
          actor: actorOf(call.staff),
          action,
          tenantId: id,
          crossRegion: call.crossRegion,
          details: { ...details, ...justificationOf(call) },
        },
        m,
      );
      const data: TenantChangedV1 = {
        tenantId: id,
        region: changed.region,
        status: effectiveStatus(changed, this.clock.now()),
        terminatedAt: changed.terminatedAt?.toISOString() ?? null,
        purgeDueAt: changed.purgeDueAt?.toISOString() ?? null,
        legalHold: changed.legalHoldReason !== null,
      };
      await appendToOutbox(m, [{ type: TENANT_CHANGED, region: changed.region, tenantId: id, data }]);
      return changed;
    });
    return toTenantDto(updated, this.clock.now());
  }
}
