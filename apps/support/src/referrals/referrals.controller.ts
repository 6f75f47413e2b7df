import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { CurrentStaffCall, StaffApi } from '../staff/staff-api.decorators';
import { TenantIdParams } from '../tenants/dto/tenant.dto';
import type { StaffCall } from '../staff/staff-call';
import { CreatePrivacyReferralDto, PrivacyReferralRecordedDto } from './dto/privacy-referral.dto';
import { ReferralsService } from './referrals.service';

/** R-D3: staff (support or admin) refer a data-subject request they received to the tenant; audited (R-A3). */
@ApiTags('privacy-referrals')
@StaffApi()
@Controller('internal/v1/tenants/:id/privacy-referrals')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Post()
  @ApiCreatedResponse({ type: PrivacyReferralRecordedDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  refer(
    @CurrentStaffCall() call: StaffCall,
    @Param() params: TenantIdParams,
    @Body() dto: CreatePrivacyReferralDto,
  ): Promise<PrivacyReferralRecordedDto> {
    return this.referrals.refer(call, params.id, dto);
  }
}
