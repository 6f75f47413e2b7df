import { Readable } from 'node:stream';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { AllowTerminated, apiKeyActor, AuditLog, CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { TenantExport } from './tenant-export';

/** Everything the tenant holds, streamed; a terminated tenant's keys still work here (R-P1). */
@ApiTags('export')
@TenantApi()
@Controller('v1/export')
export class ExportController {
  constructor(
    private readonly exporter: TenantExport,
    private readonly audit: AuditLog,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @AllowTerminated()
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description:
      'one JSON object per line, each with a `kind`: export (first), contact, consent, suppression, campaign, delivery, engagement-event, engagement, opt-out, import, privacy-request, notice, end (last, with the counts)',
  })
  async download(@CurrentTenant() tenant: TenantContext, @Res() reply: FastifyReply): Promise<FastifyReply> {
    // R-A3: an export of everything the tenant holds is security-relevant (terminated tenants' last act included).
    await this.audit.append({ actor: apiKeyActor(tenant), action: 'tenant.export', tenantId: tenant.id });
    // One page at a time: the next page is read only when the client has taken the previous one.
    const body = Readable.from(this.exporter.lines(tenant), { highWaterMark: 1 });
    // A failure mid-stream cuts the response: the missing `end` line tells the client the export is incomplete.
    body.on('error', (error) => this.logger.error({ err: error, tenantId: tenant.id }, 'tenant export failed'));
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="missive-export-${tenant.id}.ndjson"`)
      .header('cache-control', 'no-store')
      .send(body);
  }
}
