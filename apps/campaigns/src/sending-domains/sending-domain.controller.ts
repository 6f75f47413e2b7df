import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { CreateSendingDomainDto } from './dto/create-sending-domain.dto';
import { sendingDomainResponse } from './dto/sending-domain.response';
import { SendingDomainService } from './sending-domain.service';

@ApiTags('sending-domains')
@TenantApi()
@Controller('v1/sending-domains')
export class SendingDomainController {
  constructor(private readonly domains: SendingDomainService) {}

  @Post()
  @ApiOperation({ summary: 'Register a sending domain: its DKIM key and the DNS records to publish (R-S9)' })
  async create(@CurrentTenant() tenant: TenantContext, @Body() dto: CreateSendingDomainDto) {
    return sendingDomainResponse(await this.domains.create(tenant, dto.domain));
  }

  @Get()
  async list(@CurrentTenant() tenant: TenantContext) {
    return { items: (await this.domains.list(tenant)).map(sendingDomainResponse) };
  }

  @Post(':domain/verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check the published records through DNS; names the ones missing (R-S9)' })
  async verify(@CurrentTenant() tenant: TenantContext, @Param('domain') domain: string) {
    return sendingDomainResponse(await this.domains.verify(tenant, domain));
  }

  @Delete(':domain')
  @HttpCode(204)
  async remove(@CurrentTenant() tenant: TenantContext, @Param('domain') domain: string): Promise<void> {
    await this.domains.remove(tenant, domain);
  }
}
