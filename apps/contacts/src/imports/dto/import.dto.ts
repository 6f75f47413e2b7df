import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_STORED_ERRORS, type ImportRow, type ImportStatus } from '../imports.repository';

export class ImportErrorDto {
  @ApiProperty({ description: 'line number in the file (the CSV header is line 1); 0 for the file as a whole' })
  row: number;
  @ApiProperty({ example: 'consent.givenAt', description: "the field at fault; 'row' for the record as a whole" })
  field: string;
  @ApiProperty() reason: string;
}

export class ImportAcceptedResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
}

export class ImportResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) status: ImportStatus;
  @ApiProperty({ description: 'data rows read so far (created + updated + unchanged + rejected)' }) total: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty({ description: 'valid rows identical to the stored contact, or repeated later in the file' })
  unchanged: number;
  @ApiProperty() rejected: number;
  @ApiProperty({
    type: [ImportErrorDto],
    description: `per-row errors in file order; at most the first ${MAX_STORED_ERRORS} are kept (errorCount is exact)`,
  })
  errors: ImportErrorDto[];
  @ApiProperty() errorCount: number;
  @ApiProperty({
    description:
      'rows kept off, in whole or in part, and counted as well among created/updated/unchanged: a restricted contact ' +
      'is left unchanged (R-D1), lists the person left are not rejoined (R-U4)',
  })
  keptOff: number;
  @ApiProperty({
    type: [ImportErrorDto],
    description: `the rows kept off and why (field 'row': restricted; 'lists': the lists left); at most the first ${MAX_STORED_ERRORS}`,
  })
  keptOffRows: ImportErrorDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) failure: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) startedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt: string | null;
}

export function toImportResponse(row: ImportRow): ImportResponse {
  return {
    id: row.id,
    status: row.status,
    total: row.total,
    created: row.created,
    updated: row.updated,
    unchanged: row.unchanged,
    rejected: row.rejected,
    errors: row.errors,
    errorCount: row.error_count,
    keptOff: row.kept_off,
    keptOffRows: row.kept_off_rows,
    failure: row.failure,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
