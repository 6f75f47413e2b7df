import { Controller } from '@nestjs/common';
import { CONTACT_ERASED, type ContactErasedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { TenantKeys } from './tenant-keys';

/**
 * R-D1: every instance drops an erased contact's key from its cache as soon as it reads `contact.erased` (its own
 * consumer group), so the key outlives the erasure in memory only by that event's relay and fetch, and never by
 * more than CONTACT_KEY_TTL_MS. New instances start with an empty cache, so they skip history.
 */
@Controller()
export class ContactKeyCacheConsumer {
  constructor(private readonly keys: TenantKeys) {}

  @ConsumeEvents('contact-key-cache', CONTACT_ERASED, { inbox: false, broadcast: true, fromBeginning: false })
  contactErased(batch: EventBatch<ContactErasedV1>): void {
    for (const event of batch.events) {
      if (event.tenantId && typeof event.data?.contactId === 'string') {
        this.keys.forgetContact(event.tenantId, event.data.contactId);
      }
    }
  }
}
