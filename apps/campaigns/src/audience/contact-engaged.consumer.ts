import { Controller } from '@nestjs/common';
import { CONTACT_ENGAGED, contactEngagedOf, type ContactEngagedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { enterTenant } from '@missive/database';
import { ContactEngagementRepository } from './contact-engagement.repository';

/**
 * R-C9: each contact's latest human open and click, as tracking (the owner of engagement) publishes them, for the
 * `openedWithinDays` / `clickedWithinDays` audience filters. Tracking names only contacts whose hits it keeps
 * (R-K4); an erased contact's row goes with its projection (ContactProjectionConsumer). The later time wins, so a
 * replayed or late event changes nothing.
 */
@Controller()
export class ContactEngagedConsumer {
  constructor(private readonly engagement: ContactEngagementRepository) {}

  @ConsumeEvents('campaigns', CONTACT_ENGAGED)
  async engaged(batch: EventBatch<ContactEngagedV1>): Promise<void> {
    const m = batch.manager!;
    const byTenant = new Map<string, Map<string, { opened: string | null; clicked: string | null }>>();
    for (const event of batch.events) {
      const fact = contactEngagedOf(event);
      if (!fact) continue;
      const contacts = byTenant.get(fact.tenantId) ?? new Map();
      const held = contacts.get(fact.contactId) ?? { opened: null, clicked: null };
      contacts.set(fact.contactId, {
        opened: later(held.opened, fact.lastOpenedAt),
        clicked: later(held.clicked, fact.lastClickedAt),
      });
      byTenant.set(fact.tenantId, contacts);
    }
    for (const [tenantId, contacts] of byTenant) {
      const ids = [...contacts.keys()].sort();
      await enterTenant(m, tenantId);
      await this.engagement.keepLatest(
        m,
        tenantId,
        ids.map((id) => ({ contactId: id, ...contacts.get(id)! })),
      );
    }
  }
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
