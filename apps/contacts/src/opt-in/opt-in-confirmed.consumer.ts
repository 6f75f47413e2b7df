import { Controller } from '@nestjs/common';
import { confirmationUserAgent, ContactEvents, truncateIp } from '@missive/contact-domain';
import { OPT_IN_CONFIRMED, type OptInConfirmationPersonalV1, type OptInConfirmedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { TenantKeys } from '@missive/tenant-keys';
import { ContactsRepository } from '../contacts/contacts.repository';
import { enterTenant } from '@missive/database';

/**
 * R-C8: applies a double opt-in confirmation recorded by the unsubscribe service's `/c/{token}` page. The contacts
 * service owns the contact and its consent history: the pending contact becomes active, the confirmation (time,
 * truncated IP, user agent) joins the history, and `contact.changed` goes out in the same inbox transaction, so the
 * campaigns projection lets the contact through the send gate from then on (R-X5). A repeated or late event changes
 * nothing (the contact is no longer pending).
 */
@Controller()
export class OptInConfirmedConsumer {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly events: ContactEvents,
    private readonly keys: TenantKeys,
  ) {}

  @ConsumeEvents('contacts', OPT_IN_CONFIRMED)
  async confirmed(batch: EventBatch<OptInConfirmedV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      if (!event.tenantId || event.version !== 1) continue;
      const tenant = { id: event.tenantId, region: batch.region };
      const { contactId, confirmedAt, personal } = event.data;
      // Null when the contact's key is gone (erased): then there is no contact to confirm either.
      const opened = personal
        ? await this.keys.open<OptInConfirmationPersonalV1>(batch.region, tenant.id, personal)
        : null;
      await enterTenant(m, tenant.id);
      const row = await this.contacts.confirmOptIn(m, tenant.id, contactId, {
        confirmedAt: Number.isNaN(Date.parse(confirmedAt)) ? event.occurredAt : confirmedAt,
        // Truncated by the page already; truncated again so nothing finer is ever stored from an event.
        ipTruncated: typeof opened?.ipTruncated === 'string' ? truncateIp(opened.ipTruncated) : null,
        userAgent: confirmationUserAgent(opened?.userAgent),
      });
      if (row) await this.events.changed(m, tenant, [row]);
    }
  }
}
