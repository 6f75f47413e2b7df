import { Controller, Get, Param } from '@nestjs/common';
import { ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Databases } from '@missive/database';
import { ErrorBodyDto } from '@missive/http';
import { CurrentStaffCall, StaffApi } from '../staff/staff-api.decorators';
import type { StaffCall } from '../staff/staff-call';
import { TenantIdParams } from '../tenants/dto/tenant.dto';
import { TenantAccess } from '../tenants/tenant-access';
import { DeliverabilityRepository } from './deliverability.repository';
import { TenantDeliverabilityDto } from './dto/deliverability.dto';

/**
 * R-S8: staff see a tenant's 7-day bounce and complaint rates (what the complaint guard and the alert rules watch).
 * A tenant read like any other: another region's tenant needs a justification and is audited as cross-region
 * (R-A1, R-T4); the figures come from the tenant's own region (R-T2).
 */
@ApiTags('tenants')
@StaffApi()
@ApiHeader({
  name: 'X-Justification',
  required: false,
  description: 'required to read a tenant of another region (R-T4, R-A1); audited as cross-region',
})
@Controller('internal/v1/tenants/:id/deliverability')
export class DeliverabilityController {
  constructor(
    private readonly access: TenantAccess,
    private readonly databases: Databases,
  ) {}

  @Get()
  @ApiOkResponse({ type: TenantDeliverabilityDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async get(@CurrentStaffCall() call: StaffCall, @Param() params: TenantIdParams): Promise<TenantDeliverabilityDto> {
    const tenant = await this.access.load(call, params.id, 'read');
    const counts = await this.databases.withTenant(tenant.region, tenant.id, (m) =>
      DeliverabilityRepository.sevenDays(m, tenant.id, new Date()),
    );
    return { tenantId: tenant.id, window: '7d', ...counts };
  }
}
