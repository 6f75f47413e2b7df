import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditLog } from '@missive/tenancy';
import { CurrentStaffCall, StaffApi } from '../staff/staff-api.decorators';
import type { StaffCall } from '../staff/staff-call';
import { TenantAccess } from '../tenants/tenant-access';
import { AuditEntriesDto, AuditQuery, AuditVerificationDto } from './dto/audit.dto';

const DEFAULT_LIMIT = 100;

/** R-A3: read and verify the hash-chained audit log (both roles may; reading it is itself audited). */
@ApiTags('audit')
@StaffApi()
@Controller('internal/v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    private readonly access: TenantAccess,
  ) {}

  @Get()
  @ApiOkResponse({ type: AuditEntriesDto })
  async list(@CurrentStaffCall() call: StaffCall, @Query() query: AuditQuery): Promise<AuditEntriesDto> {
    const scope = await this.access.auditScope(call, query.tenantId);
    const entries = await this.audit.list({ ...scope, limit: query.limit ?? DEFAULT_LIMIT });
    return {
      entries: entries.map((e) => ({
        id: Number(e.id),
        at: e.at,
        actor: e.actor,
        action: e.action,
        ...(e.tenantId ? { tenantId: e.tenantId } : {}),
        crossRegion: e.crossRegion,
        details: e.details,
        hash: e.hash,
        prevHash: e.prevHash,
      })),
    };
  }

  @Get('verify')
  @ApiOkResponse({ type: AuditVerificationDto })
  async verify(): Promise<AuditVerificationDto> {
    const result = await this.audit.verify();
    return result.ok ? result : { ok: false, brokenAt: Number(result.brokenAt), reason: result.reason };
  }
}
