import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { REGIONS, type Region } from '@missive/contracts';
import type { TenantStatus } from '@missive/tenancy';

/** R-T3: the recorded transfer mechanisms that allow EEA contacts for an NA tenant. */
export const TRANSFER_SAFEGUARDS = ['SCC', 'BCR'] as const;

export class CreateTenantDto {
  @ApiProperty({ example: 'Acme Inc.' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: REGIONS, description: 'home region, fixed at creation (R-T2)' })
  @IsIn(REGIONS)
  region: Region;

  @ApiPropertyOptional({ enum: TRANSFER_SAFEGUARDS })
  @IsOptional()
  @IsIn(TRANSFER_SAFEGUARDS)
  transferSafeguard?: string;
}

export class TenantIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class ApiKeyParams extends TenantIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  keyId: string;
}

export class TenantDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: REGIONS }) region: Region;
  @ApiProperty({ enum: ['active', 'terminated', 'purged'] }) status: TenantStatus;
  @ApiPropertyOptional() transferSafeguard?: string;
  @ApiPropertyOptional() terminatedAt?: string;
  @ApiPropertyOptional() purgeDueAt?: string;
  @ApiPropertyOptional() purgedAt?: string;
  @ApiPropertyOptional() legalHold?: string;
  @ApiProperty() createdAt: string;
}

export class ApiKeyIssuedDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'shown only here; stored as SHA-256 (R-X1)' }) key: string;
}
