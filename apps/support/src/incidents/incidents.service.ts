import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TENANT_NOTICE_ISSUED, type TenantNoticeIssuedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { InvalidInputError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { AuditLog } from '@missive/tenancy';
import { justificationOf, type StaffCall } from '../staff/staff-call';
import { actorOf, decideStaffAction } from '../staff/staff.rules';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { CreateIncidentDto } from './dto/create-incident.dto';

/**
 * R-A2 (GDPR Art. 33(2)): an admin records a security incident; each affected tenant gets a notice in its own
 * region's database, written there from a `tenant.notice-issued` event (within a second), so an incident naming
 * tenants of both regions works wherever support runs. The global record keeps ids and dates only; the summary
 * travels in the events and lives with the notices, in the tenants' regions (R-T2).
 */
@Injectable()
export class IncidentsService {
  constructor(
    private readonly databases: Databases,
    private readonly tenants: TenantsRepository,
    private readonly audit: AuditLog,
  ) {}

  async record(call: StaffCall, dto: CreateIncidentDto): Promise<{ id: string }> {
    const tenantIds = [...new Set(dto.tenantIds.map((id) => id.toLowerCase()))];
    const tenants = await this.tenants.findByIds(tenantIds);
    const known = new Set(tenants.map((t) => t.id));
    const unknown = tenantIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        'Invalid input: tenantIds',
        unknown.map((id) => ({ field: 'tenantIds', reason: `no tenant ${id}` })),
      );
    }
    // R-A1: naming a tenant of another region needs a justification, like any other cross-region write.
    call.authorize(
      decideStaffAction(
        call.staff,
        { kind: 'incident', tenantRegions: tenants.map((t) => t.region) },
        call.justificationHeader,
      ),
    );
    const id = randomUUID();
    const actor = actorOf(call.staff);
    await this.databases.global.transaction(async (manager) => {
      await manager.query(
        'INSERT INTO incidents (id, tenant_ids, detected_at, recorded_by) VALUES ($1, $2::uuid[], $3, $4)',
        [id, tenantIds, dto.detectedAt, actor],
      );
      await this.audit.append(
        {
          actor,
          action: 'incident.recorded',
          crossRegion: call.crossRegion,
          details: { incidentId: id, tenants: tenantIds.length, ...justificationOf(call) },
        },
        manager,
      );
      for (const tenant of tenants) {
        await this.audit.append(
          {
            actor,
            action: 'incident.notified',
            tenantId: tenant.id,
            crossRegion: tenant.region !== call.staff.region,
            details: { incidentId: id, ...(tenant.region !== call.staff.region ? justificationOf(call) : {}) },
          },
          manager,
        );
      }
      // One event per tenant, on its region's topic: that region writes the notice (R-T2), however support is
      // deployed; the record, its audit entries and the events commit together (R-X5).
      await appendToOutbox(
        manager,
        tenants.map((tenant) => {
          const data: TenantNoticeIssuedV1 = {
            noticeId: randomUUID(),
            incidentId: id,
            kind: 'incident',
            summary: dto.summary,
          };
          return { type: TENANT_NOTICE_ISSUED, region: tenant.region, tenantId: tenant.id, data };
        }),
      );
    });
    return { id };
  }
}
