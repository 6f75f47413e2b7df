import {
  CAMPAIGN_FINISHED,
  DELIVERY_RECORDED,
  IMPORT_FINISHED,
  PRIVACY_REQUEST_REFERRED,
  UNSUBSCRIBE_RECORDED,
  type CampaignFinishedV1,
  type DeliveryRecordedV1,
  type EventEnvelope,
  type ImportFinishedV1,
  type PrivacyRequestReferredV1,
  type UnsubscribeRecordedV1,
} from '@missive/contracts';

/** R-X7: the events a tenant can subscribe a webhook endpoint to. */
export const WEBHOOK_EVENTS = [
  'contact.unsubscribed',
  'contact.bounced',
  'contact.complained',
  'import.finished',
  'campaign.finished',
  'privacy_request.received',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const KNOWN = new Set<string>(WEBHOOK_EVENTS);

export function isWebhookEvent(value: unknown): value is WebhookEvent {
  return typeof value === 'string' && KNOWN.has(value);
}

/** A message to the tenant: Standard Webhooks' suggested body `{type, timestamp, data}`; ids only, no addresses. */
export interface WebhookMessage {
  type: WebhookEvent;
  timestamp: string;
  data: Record<string, unknown>;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * What one Kafka event tells the tenant's endpoints, or null when it tells them nothing (another version, a
 * malformed event, a soft fact no webhook names). Plain data in, plain data out.
 */
export function webhookMessageOf(event: EventEnvelope): WebhookMessage | null {
  const data = event.data as Record<string, unknown> | null;
  if (!data || typeof data !== 'object' || event.version !== 1) return null;
  const timestamp = event.occurredAt;
  switch (event.type) {
    case UNSUBSCRIBE_RECORDED: {
      const d = data as unknown as UnsubscribeRecordedV1;
      if (!isString(d.contactId)) return null;
      return {
        type: 'contact.unsubscribed',
        timestamp,
        data: { contactId: d.contactId, campaignId: d.campaignId ?? null, lists: d.lists ?? null, source: d.source },
      };
    }
    case DELIVERY_RECORDED: {
      const d = data as unknown as DeliveryRecordedV1;
      if (!isString(d.contactId)) return null;
      const base = { contactId: d.contactId, campaignId: d.campaignId ?? null, status: d.status ?? null, at: d.at };
      if (d.outcome === 'complaint') return { type: 'contact.complained', timestamp, data: base };
      if (d.outcome === 'hard-bounce' || d.outcome === 'soft-bounce') {
        return {
          type: 'contact.bounced',
          timestamp,
          data: { ...base, bounce: d.outcome === 'hard-bounce' ? 'hard' : 'soft' },
        };
      }
      return null;
    }
    case IMPORT_FINISHED: {
      const d = data as unknown as ImportFinishedV1;
      if (!isString(d.importId)) return null;
      return { type: 'import.finished', timestamp, data: { importId: d.importId, status: d.status } };
    }
    case CAMPAIGN_FINISHED: {
      const d = data as unknown as CampaignFinishedV1;
      if (!isString(d.campaignId)) return null;
      return { type: 'campaign.finished', timestamp, data: { campaignId: d.campaignId, status: d.status } };
    }
    case PRIVACY_REQUEST_REFERRED: {
      const d = data as unknown as PrivacyRequestReferredV1;
      if (!isString(d.requestId)) return null;
      return {
        type: 'privacy_request.received',
        timestamp,
        data: { requestId: d.requestId, type: d.type, receivedAt: d.receivedAt, source: 'support' },
      };
    }
    default:
      return null;
  }
}

/** The body of a create request, checked: the URL is checked separately (webhook-target.rules). */
export function eventsProblem(events: unknown): string | null {
  if (!Array.isArray(events) || events.length === 0) return 'a non-empty list of event names';
  if (events.length > WEBHOOK_EVENTS.length * 2) return 'too many event names';
  const unknown = events.find((e) => !isWebhookEvent(e));
  if (unknown !== undefined)
    return `unknown event ${JSON.stringify(unknown).slice(0, 60)}; known: ${WEBHOOK_EVENTS.join(', ')}`;
  return null;
}

/** The event names as stored: each once, in the documented order. */
export function normaliseEvents(events: readonly WebhookEvent[]): WebhookEvent[] {
  const wanted = new Set(events);
  return WEBHOOK_EVENTS.filter((e) => wanted.has(e));
}

/** R-X7: deliveries are retried for 24 hours. */
export const RETRY_WINDOW_MS = 24 * 3600 * 1000;
const FIRST_RETRY_MS = 2000;
const LONGEST_WAIT_MS = 2 * 3600 * 1000;

/** The wait before retry `n` (1 = the first retry): 2 s doubling up to two hours. */
export function retryDelayMs(retry: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, retry - 1), LONGEST_WAIT_MS);
}

/** Attempts (the first and its retries) whose waits together reach 24 hours: a failing endpoint is tried that long. */
export function attemptsFor(windowMs: number = RETRY_WINDOW_MS): number {
  let waited = 0;
  let retries = 0;
  while (waited < windowMs) waited += retryDelayMs(++retries);
  return retries + 1;
}

/** Whether an endpoint's answer counts as delivered: any 2xx (Standard Webhooks). */
export function delivered(status: number): boolean {
  return status >= 200 && status < 300;
}
