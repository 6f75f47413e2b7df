import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { IssueStaffTokenDto, StaffIdParams, StaffTokenIssuedDto } from './dto/issue-staff-token.dto';
import { AdminOnly, CurrentStaffCall, StaffApi } from './staff-api.decorators';
import type { StaffCall } from './staff-call';
import { StaffTokensService } from './staff-tokens.service';

@ApiTags('staff')
@StaffApi()
@Controller('internal/v1/staff-tokens')
export class StaffTokensController {
  constructor(private readonly service: StaffTokensService) {}

  /** R-A1: for the issuer's own region only, and at most its role (403 `forbidden_region` / `forbidden_role`). */
  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: StaffTokenIssuedDto })
  issue(@CurrentStaffCall() call: StaffCall, @Body() dto: IssueStaffTokenDto): Promise<StaffTokenIssuedDto> {
    return this.service.issue(call, dto);
  }

  @Delete(':id')
  @AdminOnly()
  @ApiHeader({ name: 'X-Justification', required: false, description: 'required for another region’s token (R-A1)' })
  @HttpCode(204)
  @ApiNoContentResponse()
  async revoke(@CurrentStaffCall() call: StaffCall, @Param() params: StaffIdParams): Promise<void> {
    await this.service.revoke(call, params.id);
  }
}
