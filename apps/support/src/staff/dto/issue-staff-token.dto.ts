import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { REGIONS, type Region } from '@missive/contracts';
import type { StaffRole } from '../staff.rules';

export class IssueStaffTokenDto {
  @ApiProperty({ example: 'Ana (NA support)' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: ['support', 'admin'] })
  @IsIn(['support', 'admin'])
  role: StaffRole;

  @ApiProperty({ enum: REGIONS })
  @IsIn(REGIONS)
  region: Region;
}

export class StaffTokenIssuedDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'shown only here; stored as SHA-256' }) token: string;
}

export class StaffIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}
