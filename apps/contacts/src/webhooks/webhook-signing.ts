import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Standard Webhooks' secret form: `whsec_` and the base64 of the key; 32 random bytes (the spec allows 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The headers Standard Webhooks defines for one message (R-X7). */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs one delivery attempt: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the secret's key,
 * by Standard Webhooks' own implementation. The id stays the same across retries (receivers dedupe on it); the
 * timestamp is the attempt's, so a retry a day later is not refused as stale.
 */
export function signWebhook(secret: string, id: string, at: Date, body: string): WebhookHeaders {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
