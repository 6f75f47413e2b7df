import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, registerDecorator } from 'class-validator';
import { emailSyntaxProblem, normaliseEmail } from '@missive/contact-domain';
import {
  PRIVACY_REQUEST_STATUSES,
  PRIVACY_REQUEST_TYPES,
  type PrivacyRequestSource,
  type PrivacyRequestStatus,
  type PrivacyRequestType,
} from '../privacy-request.rules';

/** R-C1: the address as the contacts service accepts it (same normal form and syntax rule). */
function IsContactEmail(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isContactEmail',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && emailSyntaxProblem(normaliseEmail(value)) === null,
        defaultMessage: () => 'must be a valid email address',
      },
    });
}

export class CreatePrivacyRequestDto {
  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES })
  @IsIn(PRIVACY_REQUEST_TYPES)
  type: PrivacyRequestType;

  @ApiProperty({ example: 'ann@example.com', description: 'the data subject’s address' })
  @IsString()
  @IsContactEmail()
  email: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { lastName: 'Lee-Smith' },
    description: 'rectification only: the contact fields to correct (those PATCH /v1/contacts accepts)',
  })
  @IsOptional()
  @IsObject()
  changes?: Record<string, unknown>;
}

export class PrivacyRequestAcceptedDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES }) type: PrivacyRequestType;
  @ApiProperty({ enum: ['pending', 'completed', 'rejected'] }) status: PrivacyRequestStatus;
  @ApiProperty() dueAt: string;
  @ApiProperty() receivedAt: string;
  @ApiPropertyOptional({ description: 'NA only: receipt must be confirmed by then (10 business days)' })
  acknowledgeBy?: string;
}

export class PrivacyRequestDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES }) type: PrivacyRequestType;
  @ApiProperty({ enum: ['pending', 'completed', 'rejected'] }) status: PrivacyRequestStatus;
  @ApiProperty() receivedAt: string;
  @ApiPropertyOptional() acknowledgeBy?: string;
  @ApiProperty() dueAt: string;
  @ApiPropertyOptional() completedAt?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'access/portability: everything held on the person (contact, consents, lists, suppressions, sends, engagement, opt-outs); rejected: {reason}; otherwise what was done',
  })
  result?: unknown;
}

/** Requests per page of `GET /v1/privacy-requests`. */
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

export class ListPrivacyRequestsQuery {
  @ApiPropertyOptional({ enum: PRIVACY_REQUEST_STATUSES, description: 'only requests in this status' })
  @IsOptional()
  @IsIn(PRIVACY_REQUEST_STATUSES)
  status?: PrivacyRequestStatus;

  @ApiPropertyOptional({ description: 'the `nextCursor` of the page before' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ description: `requests per page, 1 to ${MAX_PAGE} (default ${DEFAULT_PAGE})` })
  @IsOptional()
  // 1 to 200 (MAX_PAGE): a query string is text, so the bound is in the pattern.
  @Matches(/^([1-9]|[1-9][0-9]|1[0-9]{2}|200)$/, { message: `must be a whole number 1 to ${MAX_PAGE}` })
  limit?: string;
}

/** A request as listed: as `GET /v1/privacy-requests/{id}` shows it, without `result`, and where it came from. */
export class PrivacyRequestSummaryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES }) type: PrivacyRequestType;
  @ApiProperty({ enum: PRIVACY_REQUEST_STATUSES }) status: PrivacyRequestStatus;
  @ApiProperty({ enum: ['api', 'support'], description: 'support: referred by Missive support (R-D3)' })
  source: PrivacyRequestSource;
  @ApiProperty() receivedAt: string;
  @ApiPropertyOptional() acknowledgeBy?: string;
  @ApiProperty() dueAt: string;
  @ApiPropertyOptional() completedAt?: string;
}

export class PrivacyRequestPageDto {
  @ApiProperty({ type: [PrivacyRequestSummaryDto] }) items: PrivacyRequestSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `cursor` for the next page; null at the end' })
  nextCursor: string | null;
}

export class RejectPrivacyRequestDto {
  @ApiProperty({ example: 'The person could not be identified', description: 'why the request is refused' })
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(2000)
  reason: string;
}
