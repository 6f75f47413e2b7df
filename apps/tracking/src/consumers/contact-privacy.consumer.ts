import { Controller } from '@nestjs/common';
import {
  CONTACT_CHANGED,
  CONTACT_ERASED,
  type ContactChangedV1,
  type ContactErasedV1,
  type EventEnvelope,
} from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { isUuid } from '@missive/tokens';
import { BlockedContactsRepository } from '../blocked-contacts/blocked-contacts.repository';
import { forEachTenant } from './by-tenant';

/** `unsubscribe.recorded` as far as tracking needs it (the unsubscribe service owns the full type). */
interface UnsubscribeRecorded {
  contactId: string;
}

interface ContactRef {
  tenantId: string;
  contactId: string;
}

/** The (tenant, contact) pairs of events that name contacts; malformed ones are skipped. */
function refs(events: EventEnvelope<unknown>[], contactIds: (data: unknown) => unknown[]): ContactRef[] {
  return events.flatMap((e) =>
    typeof e.tenantId === 'string' && isUuid(e.tenantId)
      ? contactIds(e.data)
          .filter((id): id is string => isUuid(id))
          .map((contactId) => ({ tenantId: e.tenantId!, contactId }))
      : [],
  );
}

/**
 * Keeps the list of contacts whose hits must store nothing linked to them (R-K4): erased (and what tracking held
 * on them goes, R-D1), opted out, or restricted.
 */
@Controller()
export class ContactPrivacyConsumer {
  constructor(private readonly blocked: BlockedContactsRepository) {}

  @ConsumeEvents('tracking', CONTACT_ERASED)
  async onErased({ events, manager }: EventBatch<ContactErasedV1>): Promise<void> {
    const contacts = refs(events, (d) => [(d as ContactErasedV1)?.contactId]);
    await forEachTenant(manager!, contacts, async (tenantId, list) => {
      const ids = list.map((c) => c.contactId);
      await this.blocked.block(manager!, tenantId, ids, 'erased');
      await this.blocked.eraseLinkedData(manager!, tenantId, ids);
    });
  }

  @ConsumeEvents('tracking', 'unsubscribe.recorded')
  async onUnsubscribed({ events, manager }: EventBatch<UnsubscribeRecorded>): Promise<void> {
    const contacts = refs(events, (d) => [(d as UnsubscribeRecorded)?.contactId]);
    await forEachTenant(manager!, contacts, (tenantId, list) =>
      this.blocked.block(
        manager!,
        tenantId,
        list.map((c) => c.contactId),
        'unsubscribed',
      ),
    );
  }

  @ConsumeEvents('tracking', CONTACT_CHANGED)
  async onChanged({ events, manager }: EventBatch<ContactChangedV1>): Promise<void> {
    const contacts = refs(events, (d) => {
      const ids = (d as ContactChangedV1)?.contactIds;
      return Array.isArray(ids) ? ids : [];
    });
    await forEachTenant(manager!, contacts, async (tenantId, list) => {
      const statuses = await this.blocked.statusesOf(manager!, tenantId, [...new Set(list.map((c) => c.contactId))]);
      const byReason = { unsubscribed: [] as string[], restricted: [] as string[], active: [] as string[] };
      for (const [id, reason] of statuses) byReason[reason ?? 'active'].push(id);
      await this.blocked.block(manager!, tenantId, byReason.unsubscribed, 'unsubscribed');
      await this.blocked.block(manager!, tenantId, byReason.restricted, 'restricted');
      await this.blocked.unblockRestricted(manager!, tenantId, byReason.active);
    });
  }
}
