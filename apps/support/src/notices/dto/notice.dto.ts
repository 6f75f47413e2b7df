import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class NoticeDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['incident', 'privacy-request-referral', 'complaint-rate'] }) kind: string;
  @ApiProperty() summary: string;
  @ApiProperty() createdAt: string;
}

export class NoticeListDto {
  @ApiProperty({ type: [NoticeDto] }) items: NoticeDto[];
}

export class NoticeIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}
