import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { ExportController } from './export.controller';
import { TenantExport } from './tenant-export';

/** The tenant export (GET /v1/export), open after termination (R-P1). */
@Module({ imports: [TenancyModule], controllers: [ExportController], providers: [TenantExport] })
export class ExportModule {}
