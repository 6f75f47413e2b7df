import { Controller } from '@nestjs/common';
import {
  CAMPAIGN_FINISHED,
  DELIVERY_RECORDED,
  IMPORT_FINISHED,
  PRIVACY_REQUEST_REFERRED,
  UNSUBSCRIBE_RECORDED,
} from '@missive/contracts';
import { ConsumeEvents, type ConsumeOptions, type EventBatch } from '@missive/kafka';
import { webhookMessageOf } from './webhook-events.rules';
import { WebhookQueues, type WebhookJobData } from './webhook-queues';
import { WebhooksRepository } from './webhooks.repository';
import { enterTenant } from '@missive/database';

/** Only what happens from now on: a new consumer does not replay the topics' twelve days to today's endpoints. */
const OPTIONS: ConsumeOptions = { fromBeginning: false };

/**
 * R-X7: the facts a tenant can hear of by webhook, from the events that already carry them: `unsubscribe.recorded`
 * (contact.unsubscribed), `delivery.recorded` (contact.bounced, contact.complained), `import.finished`,
 * `campaign.finished` and `privacy.request-referred` (privacy_request.received: a request that reached Missive
 * support). Each event becomes one queued delivery per subscribed endpoint; the job id (event and endpoint) makes a
 * redelivered event queue nothing twice.
 */
@Controller()
export class WebhookEventsConsumer {
  constructor(
    private readonly endpoints: WebhooksRepository,
    private readonly queues: WebhookQueues,
  ) {}

  @ConsumeEvents('webhooks', UNSUBSCRIBE_RECORDED, OPTIONS)
  unsubscribed(batch: EventBatch): Promise<void> {
    return this.fanOut(batch);
  }

  @ConsumeEvents('webhooks', DELIVERY_RECORDED, OPTIONS)
  deliveryRecorded(batch: EventBatch): Promise<void> {
    return this.fanOut(batch);
  }

  @ConsumeEvents('webhooks', IMPORT_FINISHED, OPTIONS)
  importFinished(batch: EventBatch): Promise<void> {
    return this.fanOut(batch);
  }

  @ConsumeEvents('webhooks', CAMPAIGN_FINISHED, OPTIONS)
  campaignFinished(batch: EventBatch): Promise<void> {
    return this.fanOut(batch);
  }

  @ConsumeEvents('webhooks', PRIVACY_REQUEST_REFERRED, OPTIONS)
  privacyRequestReferred(batch: EventBatch): Promise<void> {
    return this.fanOut(batch);
  }

  private async fanOut(batch: EventBatch): Promise<void> {
    const m = batch.manager!;
    const jobs: WebhookJobData[] = [];
    for (const event of batch.events) {
      if (!event.tenantId) continue;
      const message = webhookMessageOf(event);
      if (!message) continue;
      await enterTenant(m, event.tenantId);
      const endpoints = await this.endpoints.subscribed(m, event.tenantId, message.type);
      const body = JSON.stringify(message);
      for (const endpoint of endpoints) {
        jobs.push({
          tenantId: event.tenantId,
          region: batch.region,
          endpointId: endpoint.id,
          messageId: `msg_${event.id}`,
          body,
        });
      }
    }
    // Queued before the inbox commits: a crash in between redelivers the events, and the job ids dedupe them.
    await this.queues.enqueue(jobs);
  }
}
