import { Module } from '@nestjs/common';
import { WebhookEventsConsumer } from './webhook-events.consumer';
import { WebhookQueues } from './webhook-queues';
import { WebhookWorker } from './webhook.worker';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** R-X7: webhook endpoints (API), the consumers that turn events into deliveries, and the delivery worker. */
@Module({
  controllers: [WebhooksController, WebhookEventsConsumer],
  providers: [WebhooksService, WebhooksRepository, WebhookQueues, WebhookWorker],
})
export class WebhooksModule {}
