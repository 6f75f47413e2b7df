import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsString, MaxLength } from 'class-validator';
import { MAX_WEBHOOK_URL_LENGTH } from '../webhook-target.rules';
import { WEBHOOK_EVENTS } from '../webhook-events.rules';
import type { WebhookEndpointRow } from '../webhooks.repository';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.shop.example/missive' })
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url: string;

  @ApiProperty({ example: ['contact.unsubscribed', 'import.finished'], enum: WEBHOOK_EVENTS, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_EVENTS.length * 2)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  events: string[];
}

/** API.md: `{id, url, events}`; the secret only in the answer to the creation (shown once, R-X7). */
export function webhookResponse(row: WebhookEndpointRow, secret?: string) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    createdAt: row.created_at,
    ...(secret ? { secret } : {}),
  };
}
