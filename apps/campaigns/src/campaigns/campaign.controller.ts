import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { ReportService } from '../reports/report.service';
import { CAMPAIGN_BODY_LIMIT } from './campaign-body-limit';
import { CampaignPreviewService } from './campaign-preview.service';
import { CampaignService } from './campaign.service';
import { campaignResponse } from './dto/campaign.response';
import { CreateCampaignDto } from './dto/create-campaign.dto';

@ApiTags('campaigns')
@TenantApi()
@Controller('v1/campaigns')
export class CampaignController {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly reports: ReportService,
    private readonly previews: CampaignPreviewService,
  ) {}

  @Post()
  @RouteConfig({ bodyLimit: CAMPAIGN_BODY_LIMIT })
  @ApiOperation({ summary: 'Create a campaign (draft)' })
  async create(@CurrentTenant() tenant: TenantContext, @Body() dto: CreateCampaignDto) {
    return campaignResponse(await this.campaigns.create(tenant, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List campaigns, newest first: `{items, nextCursor}` (status, cursor, limit ≤ 200)' })
  async list(
    @CurrentTenant() tenant: TenantContext,
    @Query('status') status?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ) {
    const page = await this.campaigns.list(tenant, { status, cursor, limit });
    return { items: page.rows.map(campaignResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async get(@CurrentTenant() tenant: TenantContext, @Param('id', ParseUUIDPipe) id: string) {
    return campaignResponse(await this.campaigns.get(tenant, id));
  }

  @Get(':id/report')
  @ApiOperation({ summary: 'Aggregate, anonymous report (R-S7)' })
  report(@CurrentTenant() tenant: TenantContext, @Param('id', ParseUUIDPipe) id: string) {
    return this.reports.report(tenant, id);
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'The campaign as one contact would get it: `{subject, html, text}`; nothing sent' })
  preview(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: Record<string, unknown>,
  ) {
    return this.previews.preview(tenant, id, body);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send the campaign to up to 10 addresses, marked as a test, not counted in the report' })
  test(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: Record<string, unknown>,
  ) {
    return this.previews.test(tenant, id, body);
  }

  @Post(':id/send')
  @HttpCode(202)
  async send(@CurrentTenant() tenant: TenantContext, @Param('id', ParseUUIDPipe) id: string) {
    return campaignResponse(await this.campaigns.act(tenant, id, 'send'));
  }

  @Post(':id/pause')
  @HttpCode(202)
  async pause(@CurrentTenant() tenant: TenantContext, @Param('id', ParseUUIDPipe) id: string) {
    return campaignResponse(await this.campaigns.act(tenant, id, 'pause'));
  }

  @Post(':id/resume')
  @HttpCode(202)
  async resume(@CurrentTenant() tenant: TenantContext, @Param('id', ParseUUIDPipe) id: string) {
    return campaignResponse(await this.campaigns.act(tenant, id, 'resume'));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  async cancel(@CurrentTenant() tenant: TenantContext, @Param('id', ParseUUIDPipe) id: string) {
    return campaignResponse(await this.campaigns.act(tenant, id, 'cancel'));
  }
}
