import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { AddSuppressionDto, SuppressionPage, SuppressionResponse } from './dto/suppression.dto';
import { SuppressionsService } from './suppressions.service';

/** Public suppression-list API (R-U5, API.md). */
@ApiTags('suppressions')
@TenantApi()
@Controller('v1/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionsService) {}

  @Get()
  @ApiOkResponse({ type: SuppressionPage })
  list(
    @CurrentTenant() tenant: TenantContext,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<SuppressionPage> {
    return this.suppressions.list(tenant, limit, cursor);
  }

  @Post()
  @ApiBody({ type: AddSuppressionDto })
  @ApiCreatedResponse({ type: SuppressionResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  add(@CurrentTenant() tenant: TenantContext, @Body() body: Record<string, unknown>): Promise<SuppressionResponse> {
    return this.suppressions.add(tenant, body);
  }

  @Delete(':email')
  @HttpCode(204)
  async remove(@CurrentTenant() tenant: TenantContext, @Param('email') email: string): Promise<void> {
    await this.suppressions.remove(tenant, email);
  }
}
