import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { RawBodyLimit } from '../raw-bodies';
import { ImportAcceptedResponse, ImportResponse } from './dto/import.dto';
import { IMPORT_FILE_TOO_LARGE, MAX_IMPORT_BYTES } from './import-files';
import { ImportsService } from './imports.service';

/** Bulk import (R-C6): the raw file is the body, streamed to disk as it arrives. */
@ApiTags('imports')
@TenantApi()
@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @RawBodyLimit(MAX_IMPORT_BYTES, IMPORT_FILE_TOO_LARGE)
  @HttpCode(202)
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiAcceptedResponse({ type: ImportAcceptedResponse })
  accept(@CurrentTenant() tenant: TenantContext, @Req() request: FastifyRequest): Promise<ImportAcceptedResponse> {
    return this.imports.accept(
      tenant,
      request.headers['content-type'],
      request.headers['content-length'],
      request.body,
    );
  }

  @Get(':id')
  @ApiOkResponse({ type: ImportResponse })
  get(@CurrentTenant() tenant: TenantContext, @Param('id') id: string): Promise<ImportResponse> {
    return this.imports.get(tenant, id);
  }
}
