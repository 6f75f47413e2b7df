import { Controller } from '@nestjs/common';
import { DELIVERY_RECORDED, type DeliveryRecordedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { DeliveryOutcomesService, isDeliveryRecordedV1 } from './delivery-outcomes.service';

/**
 * `delivery.recorded` (R-S5, R-S8), from the send worker, the inbound listener and the provider webhooks: the
 * contacts service is the one owner of what a bounce or a complaint means for the address. Applied in the inbox
 * transaction, so a redelivered event has no second effect.
 */
@Controller()
export class DeliveryRecordedConsumer {
  constructor(private readonly outcomes: DeliveryOutcomesService) {}

  @ConsumeEvents('contacts', DELIVERY_RECORDED)
  async recorded(batch: EventBatch<DeliveryRecordedV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      if (!event.tenantId || event.version !== 1 || !isDeliveryRecordedV1(event.data)) continue;
      await this.outcomes.apply(m, { id: event.tenantId, region: batch.region }, event.data);
    }
  }
}
