import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { CreateWebhookDto, webhookResponse } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@TenantApi()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Register a webhook endpoint; its signing secret is shown in this answer only (R-X7)' })
  async create(@CurrentTenant() tenant: TenantContext, @Body() dto: CreateWebhookDto) {
    const { row, secret } = await this.webhooks.create(tenant, dto.url, dto.events);
    return webhookResponse(row, secret);
  }

  @Get()
  async list(@CurrentTenant() tenant: TenantContext) {
    return { items: (await this.webhooks.list(tenant)).map((row) => webhookResponse(row)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook endpoint; nothing more is delivered to it (R-X7)' })
  async remove(@CurrentTenant() tenant: TenantContext, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(tenant, id);
  }
}
