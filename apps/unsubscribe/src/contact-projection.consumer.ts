import { Controller } from '@nestjs/common';
import type { ContactChangedV2, ContactErasedV1, ContactPersonalFieldsV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { TenantKeys } from '@missive/tenant-keys';
import { maskAddress } from './page/unsubscribe-page.rules';

/** Keeps what the page shows: the masked address and lists only — the address itself is never stored here. */
@Controller()
export class UnsubscribeContactConsumer {
  constructor(private readonly keys: TenantKeys) {}

  @ConsumeEvents('unsubscribe', 'contact.changed')
  async changed(batch: EventBatch<ContactChangedV2>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      if (event.version !== 2 || !event.tenantId) continue;
      const personal = await this.keys.open<ContactPersonalFieldsV1>(batch.region, event.tenantId, event.data.personal);
      if (!personal) continue;
      await m.query(`SELECT set_config('app.tenant_id', $1, true)`, [event.tenantId]);
      await m.query(
        `INSERT INTO unsubscribe_contacts (tenant_id, contact_id, masked_address, lists, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, contact_id) DO UPDATE SET masked_address = EXCLUDED.masked_address, lists = EXCLUDED.lists,
           updated_at = EXCLUDED.updated_at WHERE unsubscribe_contacts.updated_at <= EXCLUDED.updated_at`,
        [event.tenantId, event.data.contactId, maskAddress(personal.email), event.data.lists, event.occurredAt],
      );
    }
  }

  @ConsumeEvents('unsubscribe', 'contact.erased')
  async erased(batch: EventBatch<ContactErasedV1>): Promise<void> {
    for (const event of batch.events) {
      if (!event.tenantId) continue;
      await batch.manager!.query(`SELECT set_config('app.tenant_id', $1, true)`, [event.tenantId]);
      await batch.manager!.query('DELETE FROM unsubscribe_contacts WHERE tenant_id = $1 AND contact_id = $2', [
        event.tenantId,
        event.data.contactId,
      ]);
    }
  }
}
