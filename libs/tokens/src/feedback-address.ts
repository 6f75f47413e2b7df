import { randomBytes } from 'node:crypto';

/**
 * Where a message's feedback comes back to (R-S8), shared by the sender that writes these and the inbound listener
 * that reads them. Both carry a signed token, never an address:
 *
 *   envelope sender (Return-Path)   bounce+{verp token}@{BOUNCE_DOMAIN}      where DSNs and ARF reports are sent
 *   Message-ID                      <{link token}.{16 hex}@{message domain}> what reports quote of the original
 *
 * The Return-Path's local part must fit RFC 5321's 64 octets, so it carries the compact VERP token (verp-token.ts:
 * tenant and contact, 56 characters); the Message-ID has no such limit and carries the full `bounce` link token
 * (tenant, region, campaign, contact), which is how a report that returns the original's headers names the campaign.
 * Return-Paths minted before the compact token carry the full link token: both are read here.
 *
 * The random suffix keeps each Message-ID unique (RFC 5322 §3.6.4) while the token stays readable from it.
 */
const TOKEN = '[A-Za-z0-9_-]{16,200}';
const BOUNCE_RECIPIENT = new RegExp(`^bounce\\+(${TOKEN})@[^@\\s]+$`);
const FEEDBACK_MESSAGE_ID = new RegExp(`^<?(${TOKEN})\\.[0-9a-f]{16}@[^@\\s>]+>?$`);

export function bounceAddress(token: string, domain: string): string {
  return `bounce+${token}@${domain}`;
}

/** The token of a `bounce+{token}@…` recipient, or null for any other address (case of `bounce` as written). */
export function tokenFromBounceAddress(address: string): string | null {
  return BOUNCE_RECIPIENT.exec(address.trim())?.[1] ?? null;
}

export function feedbackMessageId(token: string, domain: string): string {
  return `<${token}.${randomBytes(8).toString('hex')}@${domain}>`;
}

/** The token a Message-ID written by feedbackMessageId carries, or null for any other Message-ID. */
export function tokenFromMessageId(messageId: string): string | null {
  return FEEDBACK_MESSAGE_ID.exec(messageId.trim())?.[1] ?? null;
}
