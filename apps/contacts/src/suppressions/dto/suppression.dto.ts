import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ImportErrorDto } from '../../imports/dto/import.dto';
import { MAX_STORED_ERRORS } from '../../imports/imports.repository';
import type { SuppressionRow } from '../suppressions.repository';

export class AddSuppressionDto {
  @ApiProperty({ example: 'ann@example.com' }) email: string;
  @ApiPropertyOptional({ example: 'complaint', description: "default 'manual'" }) reason?: string;
}

export class SuppressionResponse {
  @ApiProperty() email: string;
  @ApiProperty() reason: string;
  @ApiProperty() createdAt: string;
}

export class SuppressionPage {
  @ApiProperty({ type: [SuppressionResponse] }) items: SuppressionResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `cursor` for the next page; null at the end' })
  next: string | null;
}

export function toSuppressionResponse(row: SuppressionRow): SuppressionResponse {
  return { email: row.email, reason: row.reason, createdAt: row.created_at.toISOString() };
}

export class SuppressionImportResponse {
  @ApiProperty({ description: 'data rows read (added + alreadySuppressed + rejected)' }) received: number;
  @ApiProperty({ description: 'addresses put on the list by this file' }) added: number;
  @ApiProperty({ description: 'valid rows whose address was on the list already, or earlier in the file' })
  alreadySuppressed: number;
  @ApiProperty() rejected: number;
  @ApiProperty({
    type: [ImportErrorDto],
    description: `per-row errors in file order (the header is line 1); at most the first ${MAX_STORED_ERRORS} (errorCount is exact)`,
  })
  errors: ImportErrorDto[];
  @ApiProperty() errorCount: number;
}
