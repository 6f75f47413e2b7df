import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class CreateSendingDomainDto {
  @ApiProperty({ example: 'news.shop.example' })
  @IsString()
  @MaxLength(253)
  domain: string;
}
