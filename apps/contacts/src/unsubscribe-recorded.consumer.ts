import { Controller } from '@nestjs/common';
import {
  SUPPRESSION_CHANGED,
  UNSUBSCRIBE_RECORDED,
  type SuppressionChangedV1,
  type UnsubscribeRecordedV1,
} from '@missive/contracts';
import { appendToOutbox, ConsumeEvents, type EventBatch } from '@missive/kafka';
import { ContactEvents } from '@missive/contact-domain';
import { Metrics } from '@missive/observability';
import { ContactsRepository } from './contacts/contacts.repository';
import { SuppressionsRepository } from './suppressions/suppressions.repository';

/**
 * Applies what the unsubscribe service decided to the contact itself (R-U2, R-U3, R-U4): everything → the contact
 * is unsubscribed and its address joins the tenant's suppression list, so it shows in GET /v1/suppressions
 * (R-U5); some lists → the contact leaves them. The resulting `contact.changed` v2 goes out in the same
 * (inbox) transaction, so every other projection follows (R-X5).
 */
@Controller()
export class UnsubscribeRecordedConsumer {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly events: ContactEvents,
    private readonly suppressions: SuppressionsRepository,
    private readonly metrics: Metrics,
  ) {}

  @ConsumeEvents('contacts', UNSUBSCRIBE_RECORDED)
  async recorded(batch: EventBatch<UnsubscribeRecordedV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      if (!event.tenantId || event.version !== 1) continue;
      const tenant = { id: event.tenantId, region: batch.region };
      await m.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant.id]);
      const { contactId, lists } = event.data;
      const changed = await this.contacts.applyUnsubscribe(m, tenant.id, contactId, lists);
      if (lists === null) {
        const email = changed?.email ?? (await this.contacts.findById(m, tenant.id, contactId))?.email;
        if (email) {
          const { added } = await this.suppressions.add(m, tenant.id, email, 'unsubscribed');
          if (added) {
            const data: SuppressionChangedV1 = { action: 'added', contactId };
            await appendToOutbox(m, [{ type: SUPPRESSION_CHANGED, region: tenant.region, tenantId: tenant.id, data }]);
          }
        }
      }
      if (changed) await this.events.changed(m, tenant, [changed]);
      this.metrics.unsubscribePropagation.observe(
        { consumer: 'contacts', region: batch.region },
        (Date.now() - Date.parse(event.occurredAt)) / 1000,
      );
    }
  }
}
