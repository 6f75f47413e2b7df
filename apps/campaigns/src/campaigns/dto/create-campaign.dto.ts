import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

/** Largest HTML template accepted (R-X2); the route's body limit is a little above it so the answer is a 400. */
export const MAX_HTML_BYTES = 1024 * 1024;

export class AudienceDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  lists?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tags?: string[];

  /** R-C9; checked and compiled by audience-filter.rules, which names the place of any problem in it. */
  @ApiPropertyOptional({
    type: Object,
    description:
      '`{all|any: [<filter> | {field, op: eq|neq|in|exists|gt|lt, value?}]}`; fields: contact fields, `attributes.X`, createdAt, updatedAt, openedWithinDays, clickedWithinDays',
  })
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;
}

export class TrackingDto {
  @ApiProperty() @IsBoolean() opens: boolean;
  @ApiProperty() @IsBoolean() clicks: boolean;
}

export class CreateCampaignDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(998) subject: string;
  @ApiProperty() @IsEmail({}, { message: 'fromEmail must be an email address' }) fromEmail: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) fromName?: string;

  @ApiProperty({ description: 'Liquid template; contact fields and attributes are variables' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_HTML_BYTES, { message: `html must be at most ${MAX_HTML_BYTES} characters` })
  html: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(MAX_HTML_BYTES, { message: `text must be at most ${MAX_HTML_BYTES} characters` })
  text?: string;

  @ApiProperty({ type: AudienceDto }) @ValidateNested() @Type(() => AudienceDto) audience: AudienceDto;

  @ApiPropertyOptional({ type: TrackingDto, description: 'default: both on (R-S4)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => TrackingDto)
  tracking?: TrackingDto;

  @ApiPropertyOptional({ description: 'ISO-8601; the campaign is scheduled for then when sent' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'sendAt must be an ISO-8601 date-time' })
  sendAt?: string;
}
