import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { IssueStaffTokenDto, StaffIdParams, StaffTokenIssuedDto } from './dto/issue-staff-token.dto';
import { AdminOnly, CurrentStaffCall, StaffApi } from './staff-api.decorators';
import type { StaffCall } from './staff-call';
import { StaffTokensService } from './staff-tokens.service';

@ApiTags('staff')
@StaffApi()
@Controller('internal/v1/staff-tokens')
export class StaffTokensController {
  constructor(private readonly service: StaffTokensService) {}

  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: StaffTokenIssuedDto })
  issue(@CurrentStaffCall() call: StaffCall, @Body() dto: IssueStaffTokenDto): Promise<StaffTokenIssuedDto> {
    return this.service.issue(call, dto);
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiNoContentResponse()
  async revoke(@CurrentStaffCall() call: StaffCall, @Param() params: StaffIdParams): Promise<void> {
    await this.service.revoke(call, params.id);
  }
}
