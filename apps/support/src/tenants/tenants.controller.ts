import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { AdminOnly, CurrentStaffCall, StaffApi } from '../staff/staff-api.decorators';
import type { StaffCall } from '../staff/staff-call';
import { ApiKeyIssuedDto, ApiKeyParams, CreateTenantDto, TenantDto, TenantIdParams } from './dto/tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@StaffApi()
@ApiHeader({
  name: 'X-Justification',
  required: false,
  description: 'required to read or change a tenant of another region (R-T4, R-A1); audited as cross-region',
})
@Controller('internal/v1/tenants')
export class TenantsController {
  constructor(private readonly service: TenantsService) {}

  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: TenantDto })
  create(@CurrentStaffCall() call: StaffCall, @Body() dto: CreateTenantDto): Promise<TenantDto> {
    return this.service.create(call, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@CurrentStaffCall() call: StaffCall, @Param() params: TenantIdParams): Promise<TenantDto> {
    return this.service.get(call, params.id);
  }

  @Post(':id/api-keys')
  @AdminOnly()
  @ApiCreatedResponse({ type: ApiKeyIssuedDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto })
  issueApiKey(@CurrentStaffCall() call: StaffCall, @Param() params: TenantIdParams): Promise<ApiKeyIssuedDto> {
    return this.service.issueApiKey(call, params.id);
  }

  @Delete(':id/api-keys/:keyId')
  @AdminOnly()
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async revokeApiKey(@CurrentStaffCall() call: StaffCall, @Param() params: ApiKeyParams): Promise<void> {
    await this.service.revokeApiKey(call, params.id, params.keyId);
  }
}
