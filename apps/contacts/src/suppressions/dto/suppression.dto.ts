import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
