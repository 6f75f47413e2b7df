import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FILTER_OPS } from './audience-filter.rules';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { AudiencePreviewService } from './audience-preview.service';

@ApiTags('audiences')
@TenantApi()
@Controller('v1/audiences')
export class AudienceController {
  constructor(private readonly previews: AudiencePreviewService) {}

  @Post('preview')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        lists: { type: 'array', items: { type: 'string' } },
        tags: { type: 'array', items: { type: 'string' } },
        filter: {
          type: 'object',
          description:
            '`{all|any: [<filter> | {field, op: ' +
            FILTER_OPS.join('|') +
            ', value?}]}` (R-C9; at most 5 groups deep and 50 conditions)',
        },
      },
    },
  })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Count an audience `{lists?, tags?, filter?}` before creating a campaign: `{count}` (R-C9)',
  })
  preview(@CurrentTenant() tenant: TenantContext, @Body() body: Record<string, unknown>) {
    return this.previews.count(tenant, body);
  }
}
