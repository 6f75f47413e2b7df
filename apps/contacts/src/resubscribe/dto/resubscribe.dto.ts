import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConsentDto } from '../../contacts/dto/contact.dto';

/** Documentation of the body (OpenAPI); `ResubscribeService` checks it with the contact rules (R-C2, R-C5). */
export class ResubscribeDto {
  @ApiProperty({ type: ConsentDto, description: 'the new consent record (R-U4)' }) consent: ConsentDto;
  @ApiPropertyOptional({ type: [String], description: 'lists to rejoin, including lists the person left' })
  lists?: string[];
}
