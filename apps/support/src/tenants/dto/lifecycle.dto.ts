import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, IsString, Length } from 'class-validator';

export class TerminationDto {
  @ApiProperty({ format: 'date-time', description: 'when the contract ends (past or future); purgeDueAt = +14 days' })
  @IsISO8601({ strict: true, strictSeparator: true })
  terminatedAt: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;

  @ApiPropertyOptional({ description: 'required when purgeDueAt is already past: the purge then starts at once' })
  @IsOptional()
  @IsBoolean()
  confirmImmediatePurge?: boolean;
}

export class LegalHoldDto {
  @ApiProperty({ maxLength: 500, example: 'litigation hold, case 2026-114' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

/** R-A3: the audit chain's head at a moment, signed with the chain key (HMAC-SHA256, hex). */
export class AuditHeadDto {
  @ApiProperty({ description: 'id of the newest audit entry' }) seq: string;
  @ApiProperty() hash: string;
  @ApiProperty() at: string;
  @ApiProperty() keyId: string;
  @ApiProperty() signature: string;
}

export class PurgeCertificateDto {
  @ApiProperty() tenantId: string;
  @ApiProperty() purgeDueAt: string;
  @ApiProperty() startedAt: string;
  @ApiProperty() completedAt: string;
  @ApiProperty({
    description: 'rows, keys, jobs and files deleted per store (no personal data)',
    example: { 'postgres.na.contacts': 1000, redis: 3 },
  })
  deleted: Record<string, number>;
  @ApiProperty({
    description:
      'what re-checks after the purge found and deleted per store: data that came back through a late event or an old link (R-P6); empty when nothing did',
    example: {},
  })
  deletedAfterCompletion: Record<string, number>;
  @ApiPropertyOptional({
    type: AuditHeadDto,
    description: 'the audit chain head signed when the certificate was written (R-A3); absent on older certificates',
  })
  auditHead?: AuditHeadDto;
}
