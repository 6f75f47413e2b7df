import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { AuditBreak } from '@missive/tenancy';

export class AuditQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AuditEntryDto {
  @ApiProperty() id: number;
  @ApiProperty() at: string;
  @ApiProperty({ example: 'staff:bootstrap' }) actor: string;
  @ApiProperty({ example: 'api-key.revoked' }) action: string;
  @ApiPropertyOptional() tenantId?: string;
  @ApiProperty() crossRegion: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;
  @ApiProperty() hash: string;
  @ApiProperty() prevHash: string;
}

export class AuditEntriesDto {
  @ApiProperty({ type: [AuditEntryDto] }) entries: AuditEntryDto[];
}

export class AuditAnchorRefDto {
  @ApiProperty({ description: 'id of the entry anchored' }) seq: number;
  @ApiProperty() at: string;
}

export class AuditVerificationDto {
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ description: 'number of entries checked, when ok' }) entries?: number;
  @ApiPropertyOptional({
    description:
      'id of the first entry whose link, content or anchored hash does not match, or of the anchored entry missing',
  })
  brokenAt?: number;
  @ApiPropertyOptional({ enum: ['link', 'hash', 'anchor-mismatch', 'truncated', 'anchor-signature'] })
  reason?: AuditBreak;
  @ApiPropertyOptional({ type: AuditAnchorRefDto, nullable: true, description: 'the newest anchor, when ok' })
  lastAnchor?: AuditAnchorRefDto | null;
}
