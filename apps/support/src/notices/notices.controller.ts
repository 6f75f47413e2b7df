import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Databases } from '@missive/database';
import { ErrorBodyDto, NotFoundError } from '@missive/http';
import { CurrentTenant, TenantApi, tenantDb, type TenantContext } from '@missive/tenancy';
import { NoticeDto, NoticeIdParams, NoticeListDto } from './dto/notice.dto';
import { NoticesRepository } from './notices.repository';

const MAX_NOTICES = 200;

/** R-A2: a tenant reads the incident notices (and R-D3 referrals) addressed to it, the moment they are recorded. */
@ApiTags('notices')
@TenantApi()
@Controller('v1/notices')
export class NoticesController {
  constructor(private readonly databases: Databases) {}

  @Get()
  @ApiOkResponse({ type: NoticeListDto })
  async list(@CurrentTenant() tenant: TenantContext): Promise<NoticeListDto> {
    return { items: await tenantDb(this.databases, tenant, (m) => NoticesRepository.list(m, MAX_NOTICES)) };
  }

  /** R-T1: another tenant's notice id answers 404, exactly like one that does not exist. */
  @Get(':id')
  @ApiOkResponse({ type: NoticeDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async get(@CurrentTenant() tenant: TenantContext, @Param() params: NoticeIdParams): Promise<NoticeDto> {
    const notice = await tenantDb(this.databases, tenant, (m) => NoticesRepository.find(m, params.id));
    if (!notice) throw new NotFoundError('Notice');
    return notice;
  }
}
