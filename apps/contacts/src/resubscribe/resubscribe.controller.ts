import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { ContactResponse } from '../contacts/dto/contact.dto';
import { ResubscribeDto } from './dto/resubscribe.dto';
import { ResubscribeService } from './resubscribe.service';

/** POST /v1/contacts/{id}/resubscribe (API.md): the only way back after an opt-out, R-U4, R-S8. */
@ApiTags('contacts')
@TenantApi()
@Controller('v1/contacts')
export class ResubscribeController {
  constructor(private readonly service: ResubscribeService) {}

  @Post(':id/resubscribe')
  @HttpCode(200)
  @ApiBody({ type: ResubscribeDto })
  @ApiOkResponse({ type: ContactResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'the contact is restricted (R-D1)' })
  resubscribe(
    @CurrentTenant() tenant: TenantContext,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
  ): Promise<ContactResponse> {
    return this.service.resubscribe(tenant, id, body);
  }
}
