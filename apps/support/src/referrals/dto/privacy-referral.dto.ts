import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, Length } from 'class-validator';
import { PRIVACY_REFERRAL_TYPES, type PrivacyReferralType } from '../privacy-referral.rules';

export class CreatePrivacyReferralDto {
  @ApiProperty({ enum: PRIVACY_REFERRAL_TYPES, description: 'what the person asked for, as support understood it' })
  @IsIn(PRIVACY_REFERRAL_TYPES)
  type: PrivacyReferralType;

  @ApiProperty({
    example: '2026-01-10T09:30:00Z',
    description: 'when support received it; the due dates run from here',
  })
  @IsISO8601({ strict: true })
  receivedAt: string;

  @ApiProperty({
    description: 'what the tenant needs to answer it (who asked, how to reach them); kept only in the tenant’s region',
  })
  @IsString()
  @Length(1, 4000)
  summary: string;
}

export class PrivacyReferralRecordedDto {
  @ApiProperty({ description: 'the privacy request id the tenant reads at GET /v1/privacy-requests/{id}' })
  id: string;

  @ApiProperty({ description: 'the notice the tenant reads at GET /v1/notices' })
  noticeId: string;
}
