import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorBodyDto } from '@missive/http';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import {
  AddSuppressionDto,
  SuppressionImportResponse,
  SuppressionPage,
  SuppressionResponse,
} from './dto/suppression.dto';
import { RawBodyLimit } from '../raw-bodies';
import {
  MAX_SUPPRESSION_IMPORT_BYTES,
  SUPPRESSION_FILE_TOO_LARGE,
  SuppressionImportsService,
} from './suppression-imports.service';
import { SuppressionsService } from './suppressions.service';

/** Public suppression-list API (R-U5, API.md). */
@ApiTags('suppressions')
@TenantApi()
@Controller('v1/suppressions')
export class SuppressionsController {
  constructor(
    private readonly suppressions: SuppressionsService,
    private readonly imports: SuppressionImportsService,
  ) {}

  @Get()
  @ApiOkResponse({ type: SuppressionPage })
  list(
    @CurrentTenant() tenant: TenantContext,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<SuppressionPage> {
    return this.suppressions.list(tenant, limit, cursor);
  }

  @Post()
  @ApiBody({ type: AddSuppressionDto })
  @ApiCreatedResponse({ type: SuppressionResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  add(@CurrentTenant() tenant: TenantContext, @Body() body: Record<string, unknown>): Promise<SuppressionResponse> {
    return this.suppressions.add(tenant, body);
  }

  /**
   * CSV import (R-U5): the raw file is the body (`text/csv`, header `email` and optionally `reason`), streamed;
   * answered once every row is applied, with the counts and the per-row errors.
   */
  @Post('imports')
  @RawBodyLimit(MAX_SUPPRESSION_IMPORT_BYTES, SUPPRESSION_FILE_TOO_LARGE)
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiOkResponse({ type: SuppressionImportResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  importCsv(
    @CurrentTenant() tenant: TenantContext,
    @Req() request: FastifyRequest,
  ): Promise<SuppressionImportResponse> {
    return this.imports.import(
      tenant,
      request.headers['content-type'],
      request.headers['content-length'],
      request.body,
    );
  }

  @Delete(':email')
  @HttpCode(204)
  async remove(@CurrentTenant() tenant: TenantContext, @Param('email') email: string): Promise<void> {
    await this.suppressions.remove(tenant, email);
  }
}
