import { Controller } from '@nestjs/common';
import { CONTACT_ENGAGED, contactEngagedOf, type ContactEngagedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { enterTenant } from '@missive/database';

/**
 * R-C9: each contact's latest human open and click, as tracking (the owner of engagement) publishes them, for the
 * `openedWithinDays` / `clickedWithinDays` audience filters. Tracking names only contacts whose hits it keeps
 * (R-K4); an erased contact's row goes with its projection (ContactProjectionConsumer). The later time wins, so a
 * replayed or late event changes nothing.
 */
@Controller()
export class ContactEngagedConsumer {
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
      await m.query(
        `INSERT INTO campaign_contact_engagement AS e (tenant_id, contact_id, last_opened_at, last_clicked_at)
         SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[])
         ON CONFLICT (tenant_id, contact_id) DO UPDATE SET
           last_opened_at = GREATEST(e.last_opened_at, EXCLUDED.last_opened_at),
           last_clicked_at = GREATEST(e.last_clicked_at, EXCLUDED.last_clicked_at)`,
        [tenantId, ids, ids.map((id) => contacts.get(id)!.opened), ids.map((id) => contacts.get(id)!.clicked)],
      );
    }
  }
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
