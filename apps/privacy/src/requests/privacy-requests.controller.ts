import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { CreatePrivacyRequestDto, PrivacyRequestAcceptedDto, PrivacyRequestDto } from './dto/privacy-request.dto';
import { PrivacyRequestsService } from './privacy-requests.service';

/** Data-subject requests the tenant (the controller) passes on to Missive (the processor), R-D1. */
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

  @Get(':id')
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@CurrentTenant() tenant: TenantContext, @Param('id') id: string): Promise<PrivacyRequestDto> {
    return this.requests.get(tenant, id);
  }
}
