import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { AdminOnly, CurrentStaffCall, StaffApi } from '../staff/staff-api.decorators';
import type { StaffCall } from '../staff/staff-call';
import { LegalHoldDto, PurgeCertificateDto, TerminationDto } from './dto/lifecycle.dto';
import { TenantDto, TenantIdParams } from './dto/tenant.dto';
import { TenantLifecycleService } from './tenant-lifecycle.service';

/** Termination, reactivation, legal hold and the purge certificate (R-P1, R-P4, R-P5; R-A2). */
@ApiTags('tenants')
@StaffApi()
@ApiHeader({
  name: 'X-Justification',
  required: false,
  description: 'required for a tenant of another region (R-T4, R-A1)',
})
@Controller('internal/v1/tenants/:id')
export class TenantLifecycleController {
  constructor(private readonly lifecycle: TenantLifecycleService) {}

  @Post('termination')
  @AdminOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: TenantDto, description: 'purgeDueAt = terminatedAt + 14 days' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'purge already due without confirmImmediatePurge, or purged',
  })
  terminate(
    @CurrentStaffCall() call: StaffCall,
    @Param() params: TenantIdParams,
    @Body() dto: TerminationDto,
  ): Promise<TenantDto> {
    return this.lifecycle.terminate(call, params.id, dto);
  }

  @Delete('termination')
  @AdminOnly()
  @ApiOkResponse({ type: TenantDto, description: 'active again; the purge is cancelled' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'purgeDueAt has passed or the tenant was purged (R-P5)' })
  reactivate(@CurrentStaffCall() call: StaffCall, @Param() params: TenantIdParams): Promise<TenantDto> {
    return this.lifecycle.reactivate(call, params.id);
  }

  @Post('legal-hold')
  @AdminOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: TenantDto, description: 'legalHold set: the purge waits until it is released (R-P5)' })
  @ApiConflictResponse({ type: ErrorBodyDto })
  placeLegalHold(
    @CurrentStaffCall() call: StaffCall,
    @Param() params: TenantIdParams,
    @Body() dto: LegalHoldDto,
  ): Promise<TenantDto> {
    return this.lifecycle.placeLegalHold(call, params.id, dto);
  }

  @Delete('legal-hold')
  @AdminOnly()
  @ApiOkResponse({ type: TenantDto })
  @ApiConflictResponse({ type: ErrorBodyDto })
  releaseLegalHold(@CurrentStaffCall() call: StaffCall, @Param() params: TenantIdParams): Promise<TenantDto> {
    return this.lifecycle.releaseLegalHold(call, params.id);
  }

  @Get('purge-certificate')
  @ApiOkResponse({ type: PurgeCertificateDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'the purge has not finished' })
  certificate(@CurrentStaffCall() call: StaffCall, @Param() params: TenantIdParams): Promise<PurgeCertificateDto> {
    return this.lifecycle.certificate(call, params.id);
  }
}
