import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import {
  type ConsentRecord,
  CONTACT_STATUSES,
  type ContactStatus,
  LAWFUL_BASES,
  type LawfulBasis,
} from '@missive/contact-domain';
import type { ContactRow } from '../contacts.repository';

/**
 * Documentation of the bodies (OpenAPI at /docs). The bodies themselves are checked by `validateContactInput`,
 * the rule set the import uses too, so the API and the import can never disagree (R-C5).
 */
export class ConsentDto {
  @ApiProperty({ example: '2025-01-31T12:00:00Z' }) givenAt: string;
  @ApiProperty({ example: 'signup-form' }) source: string;
  @ApiPropertyOptional({ description: 'stored truncated: IPv4 /24, IPv6 /48' }) ip?: string;
  @ApiPropertyOptional({ description: 'the wording the person agreed to' }) text?: string;
  @ApiPropertyOptional({ description: 'explicit consent (GDPR Art. 9), needed for special-category attributes' })
  explicit?: boolean;
}

export class CreateContactDto {
  @ApiProperty({ example: 'ann@example.com' }) email: string;
  @ApiPropertyOptional() firstName?: string;
  @ApiPropertyOptional() lastName?: string;
  @ApiPropertyOptional() phone?: string;
  @ApiPropertyOptional({ example: 'en-GB' }) locale?: string;
  @ApiPropertyOptional({ enum: ['NA', 'EEA'], description: "default: attributes.country's regime, else the tenant's" })
  region?: 'NA' | 'EEA';
  @ApiProperty({ enum: LAWFUL_BASES }) lawfulBasis: LawfulBasis;
  @ApiPropertyOptional({ type: ConsentDto, description: 'required when lawfulBasis is consent' }) consent?: ConsentDto;
  @ApiPropertyOptional({ example: '1990-04-01' }) birthDate?: string;
  @ApiPropertyOptional() trackingConsent?: boolean;
  @ApiPropertyOptional({ type: [String] }) lists?: string[];
  @ApiPropertyOptional({ type: [String] }) tags?: string[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'string, number, boolean or null values',
  })
  attributes?: Record<string, string | number | boolean | null>;
  @ApiPropertyOptional({
    description:
      'R-C8: a new contact starts pending and is sent one confirmation message; an existing one keeps its status',
  })
  doubleOptIn?: boolean;
}

export class PatchContactDto extends PartialType(OmitType(CreateContactDto, ['doubleOptIn'] as const)) {}

export class ContactResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true, type: String }) firstName: string | null;
  @ApiProperty({ nullable: true, type: String }) lastName: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ nullable: true, type: String }) locale: string | null;
  @ApiProperty({ enum: ['NA', 'EEA'] }) region: 'NA' | 'EEA';
  @ApiProperty({ enum: LAWFUL_BASES }) lawfulBasis: LawfulBasis;
  @ApiProperty({ type: ConsentDto, nullable: true }) consent: ConsentRecord | null;
  @ApiProperty({ nullable: true, type: String }) birthDate: string | null;
  @ApiProperty() trackingConsent: boolean;
  @ApiProperty({ enum: CONTACT_STATUSES }) status: ContactStatus;
  @ApiProperty({ type: [String] }) lists: string[];
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) attributes: Record<string, unknown>;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export function toContactResponse(row: ContactRow): ContactResponse {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    locale: row.locale,
    region: row.region,
    lawfulBasis: row.lawful_basis,
    consent: row.consent,
    birthDate: row.birth_date,
    trackingConsent: row.tracking_consent,
    status: row.status,
    lists: row.lists,
    tags: row.tags,
    attributes: row.attributes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
