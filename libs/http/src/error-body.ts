import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiPropertyOptional() field?: string;
  @ApiPropertyOptional() row?: number;
  @ApiProperty() reason: string;
}

/** Every 4xx/5xx body (API.md): `{error, message, details[]}`. */
export class ErrorBodyDto {
  @ApiProperty({ example: 'invalid_input' }) error: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: [ErrorDetailDto] }) details: ErrorDetailDto[];
}
