import { Controller } from '@nestjs/common';
import {
  CONTACT_CHANGED,
  CONTACT_ERASED,
  UNSUBSCRIBE_RECORDED,
  type ContactChangedStateEvent,
  type ContactErasedV1,
  type UnsubscribeRecordedV1,
} from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { BlockedContactsRepository } from '../blocked-contacts/blocked-contacts.repository';
import { erasures, optOuts, statusChanges } from '../blocked-contacts/blocked-contacts.rules';
import { forEachTenant } from './by-tenant';

/**
 * Keeps the list of contacts whose hits must store nothing linked to them (R-K4): erased (and what tracking held
 * on them goes, R-D1), opted out, restricted — and lifts it when `contact.changed` shows the contact active again.
 * The contact's state comes from the events alone (v2, and an import's v3 batch, carry the status); tracking never
 * reads the contacts service's tables.
 */
@Controller()
export class ContactPrivacyConsumer {
  constructor(private readonly blocked: BlockedContactsRepository) {}

  @ConsumeEvents('tracking', CONTACT_ERASED)
  async onErased({ events, manager }: EventBatch<ContactErasedV1>): Promise<void> {
    await forEachTenant(manager!, erasures(events), async (tenantId, changes) => {
      await this.blocked.block(manager!, tenantId, changes);
      await this.blocked.eraseLinkedData(
        manager!,
        tenantId,
        changes.map((c) => c.contactId),
      );
    });
  }

  @ConsumeEvents('tracking', UNSUBSCRIBE_RECORDED)
  async onUnsubscribed({ events, manager }: EventBatch<UnsubscribeRecordedV1>): Promise<void> {
    await forEachTenant(manager!, optOuts(events), (tenantId, changes) =>
      this.blocked.block(manager!, tenantId, changes),
    );
  }

  @ConsumeEvents('tracking', CONTACT_CHANGED)
  async onChanged({ events, manager }: EventBatch<ContactChangedStateEvent>): Promise<void> {
    await forEachTenant(manager!, statusChanges(events), async (tenantId, changes) => {
      await this.blocked.block(manager!, tenantId, changes);
      await this.blocked.unblock(manager!, tenantId, changes);
    });
  }
}
