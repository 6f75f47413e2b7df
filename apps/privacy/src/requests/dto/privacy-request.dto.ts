import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, registerDecorator } from 'class-validator';
import { emailSyntaxProblem, normaliseEmail } from '@missive/contact-domain';
import { PRIVACY_REQUEST_TYPES, type PrivacyRequestStatus, type PrivacyRequestType } from '../privacy-request.rules';

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
