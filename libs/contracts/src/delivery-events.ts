/**
 * `delivery.recorded` v1: what became of one message to one contact, as far as it concerns the address (R-S5,
 * R-S8). Produced by whoever hears it: the send worker (the relay's answer at RCPT or DATA), the inbound
 * listener (a DSN or an ARF report to the VERP Return-Path) and the provider webhooks. The contacts service owns
 * what it means for the address: a hard bounce or a complaint suppresses it durably, soft bounces are counted
 * (3 within 30 days suppress). Carries ids and codes only, never an address or a message body. Key: the contact id.
 */
export interface DeliveryRecordedV1 {
  contactId: string;
  /** null when the source could not name the campaign (e.g. a provider webhook without our headers). */
  campaignId: string | null;
  outcome: DeliveryOutcomeV1;
  /** Who heard it. */
  source: DeliverySourceV1;
  /** The RFC 3463 enhanced status code when known, e.g. `5.1.1`; for complaints the ARF feedback type. */
  status: string | null;
  /** When the outcome happened (the DSN's or report's time when it gives one, else when it was heard). */
  at: string;
}

export type DeliveryOutcomeV1 = 'hard-bounce' | 'soft-bounce' | 'complaint';
export type DeliverySourceV1 = 'smtp' | 'dsn' | 'arf' | 'ses' | 'sendgrid' | 'postmark' | 'mailgun';

export const DELIVERY_RECORDED = 'delivery.recorded';
