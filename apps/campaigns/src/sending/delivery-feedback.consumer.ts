import { Controller } from '@nestjs/common';
import { DELIVERY_RECORDED, type DeliveryRecordedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { enterTenant } from '@missive/database';
import { ComplaintGuard } from './complaint-guard';
import { DeliveryFeedbackRepository } from './delivery-feedback.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The report's share of `delivery.recorded` (R-S7, R-S8): bounces and complaints heard after the relay accepted a
 * message (a DSN, an ARF report, a provider webhook) are counted once per (campaign, contact, outcome). What the
 * outcome means for the address is the contacts service's; the relay's own answers are already in the ledger. A new
 * complaint runs the complaint guard on its campaign (R-S8).
 */
@Controller()
export class DeliveryFeedbackConsumer {
  constructor(
    private readonly feedback: DeliveryFeedbackRepository,
    private readonly guard: ComplaintGuard,
  ) {}

  @ConsumeEvents('campaigns', DELIVERY_RECORDED)
  async recorded(batch: EventBatch<DeliveryRecordedV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      const d = event.data as Partial<DeliveryRecordedV1> | null;
      if (!event.tenantId || event.version !== 1 || !d || d.source === 'smtp') continue;
      if (typeof d.campaignId !== 'string' || !UUID.test(d.campaignId)) continue;
      if (typeof d.contactId !== 'string' || !UUID.test(d.contactId)) continue;
      if (d.outcome !== 'hard-bounce' && d.outcome !== 'soft-bounce' && d.outcome !== 'complaint') continue;
      await enterTenant(m, event.tenantId);
      const inserted = await this.feedback.recordOnce(m, event.tenantId, d.campaignId, d.contactId, d.outcome);
      if (d.outcome === 'complaint' && inserted) {
        await this.guard.apply(m, batch.region, event.tenantId, d.campaignId);
      }
    }
  }
}
