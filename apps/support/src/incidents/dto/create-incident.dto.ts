import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsISO8601, IsString, IsUUID, Length } from 'class-validator';

export class CreateIncidentDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  tenantIds: string[];

  @ApiProperty({ description: 'what happened, as the affected tenants will read it; no personal data' })
  @IsString()
  @Length(1, 4000)
  summary: string;

  @ApiProperty({ example: '2026-01-10T09:30:00Z' })
  @IsISO8601({ strict: true })
  detectedAt: string;
}

export class IncidentRecordedDto {
  @ApiProperty() id: string;
}
