import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import {
  CreatePrivacyRequestDto,
  ListPrivacyRequestsQuery,
  PrivacyRequestAcceptedDto,
  PrivacyRequestDto,
  PrivacyRequestPageDto,
  RejectPrivacyRequestDto,
} from './dto/privacy-request.dto';
import { PrivacyRequestsService } from './privacy-requests.service';

/**
 * Data-subject requests the tenant (the controller) passes on to Missive (the processor), R-D1, and the ones
 * support referred to the tenant, which the tenant lists and closes (R-D3).
 */
@ApiTags('privacy-requests')
@TenantApi()
@Controller('v1/privacy-requests')
export class PrivacyRequestsController {
  constructor(private readonly requests: PrivacyRequestsService) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: PrivacyRequestAcceptedDto, description: 'recorded and carried out; see its status' })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  submit(
    @CurrentTenant() tenant: TenantContext,
    @Body() body: CreatePrivacyRequestDto,
  ): Promise<PrivacyRequestAcceptedDto> {
    return this.requests.submit(tenant, body);
  }

  @Get()
  @ApiOkResponse({ type: PrivacyRequestPageDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  list(
    @CurrentTenant() tenant: TenantContext,
    @Query() query: ListPrivacyRequestsQuery,
  ): Promise<PrivacyRequestPageDto> {
    return this.requests.list(tenant, query);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOkResponse({ type: PrivacyRequestDto, description: 'the tenant answered the person (R-D3)' })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'already completed or rejected' })
  complete(@CurrentTenant() tenant: TenantContext, @Param('id') id: string): Promise<PrivacyRequestDto> {
    return this.requests.close(tenant, id, { action: 'complete' });
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: PrivacyRequestDto, description: 'refused, with the reason as `result` (R-D3)' })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'already completed or rejected' })
  reject(
    @CurrentTenant() tenant: TenantContext,
    @Param('id') id: string,
    @Body() body: RejectPrivacyRequestDto,
  ): Promise<PrivacyRequestDto> {
    return this.requests.close(tenant, id, { action: 'reject', reason: body.reason });
  }

  @Get(':id')
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@CurrentTenant() tenant: TenantContext, @Param('id') id: string): Promise<PrivacyRequestDto> {
    return this.requests.get(tenant, id);
  }
}
