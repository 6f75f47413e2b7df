import { Controller } from '@nestjs/common';
import { UNSUBSCRIBE_RECORDED, type UnsubscribeRecordedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { ContactEvents } from '@missive/contact-domain';
import { Metrics } from '@missive/observability';
import { ContactsRepository } from './contacts/contacts.repository';
import { SuppressionsService } from './suppressions/suppressions.service';
import { enterTenant } from '@missive/database';

/**
 * Applies what the unsubscribe service decided to the contact itself (R-U2, R-U3, R-U4): everything → the contact
 * is unsubscribed and its address joins the tenant's suppression list (as `SuppressionsService.addAll` adds any), so
 * it shows in GET /v1/suppressions (R-U5); some lists → the contact leaves them. The resulting `contact.changed` v2 goes out in the same
 * (inbox) transaction, so every other projection follows (R-X5).
 */
@Controller()
export class UnsubscribeRecordedConsumer {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly events: ContactEvents,
    private readonly suppressions: SuppressionsService,
    private readonly metrics: Metrics,
  ) {}

  @ConsumeEvents('contacts', UNSUBSCRIBE_RECORDED)
  async recorded(batch: EventBatch<UnsubscribeRecordedV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      if (!event.tenantId || event.version !== 1) continue;
      const tenant = { id: event.tenantId, region: batch.region };
      await enterTenant(m, tenant.id);
      const { contactId, lists } = event.data;
      const changed = await this.contacts.applyUnsubscribe(m, tenant.id, contactId, lists);
      if (lists === null) {
        const email = changed?.email ?? (await this.contacts.findById(m, tenant.id, contactId))?.email;
        // The same path as POST /v1/suppressions: `suppression.changed` if the address was not listed yet.
        if (email) await this.suppressions.addAll(m, tenant, [{ email, reason: 'unsubscribed' }]);
      }
      if (changed) await this.events.changed(m, tenant, [changed]);
      this.metrics.unsubscribePropagation.observe(
        { consumer: 'contacts', region: batch.region },
        (Date.now() - Date.parse(event.occurredAt)) / 1000,
      );
    }
  }
}
