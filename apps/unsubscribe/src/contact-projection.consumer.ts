import { Controller } from '@nestjs/common';
import {
  carriesContactState,
  CONTACT_CHANGED,
  CONTACT_ERASED,
  contactStatesOf,
  type ContactChangedStateEvent,
  type ContactErasedV1,
  type ContactPersonalFieldsV1,
} from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { TenantKeys } from '@missive/tenant-keys';
import { AwaitingOptOuts } from './opt-outs/awaiting-opt-outs.repository';
import { maskAddress } from './page/unsubscribe-page.rules';
import { enterTenant } from '@missive/database';

/**
 * Keeps what the page shows: the masked address, the lists, and the locale the page speaks (R-U6) — the address
 * itself is never stored here.
 */
@Controller()
export class UnsubscribeContactConsumer {
  constructor(
    private readonly keys: TenantKeys,
    private readonly awaiting: AwaitingOptOuts,
  ) {}

  @ConsumeEvents('unsubscribe', CONTACT_CHANGED)
  async changed(batch: EventBatch<ContactChangedStateEvent>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      if (!carriesContactState(event) || !event.tenantId) continue;
      const opened = await this.keys.open<ContactPersonalFieldsV1 | ContactPersonalFieldsV1[]>(
        batch.region,
        event.tenantId,
        event.data.personal,
      );
      if (!opened) continue;
      // v2 names one contact, v3 and v4 an import's batch of them (personal fields in the same order): one statement.
      const rows = contactStatesOf(event).flatMap(({ state, personalIndex }) => {
        const personal = (personalIndex === null ? opened : (opened as ContactPersonalFieldsV1[])[personalIndex]) as
          | ContactPersonalFieldsV1
          | undefined;
        return personal
          ? [
              {
                id: state.contactId,
                masked: maskAddress(personal.email),
                lists: state.lists,
                // A BCP 47 tag; bounded, in case a malformed one comes along.
                locale: typeof personal.locale === 'string' ? personal.locale.slice(0, 35) : null,
              },
            ]
          : [];
      });
      if (rows.length === 0) continue;
      await enterTenant(m, event.tenantId);
      await this.awaiting.lockArrivals(m, event.tenantId);
      await m.query(
        `INSERT INTO unsubscribe_contacts (tenant_id, contact_id, masked_address, lists, locale, updated_at)
         SELECT DISTINCT ON (r->>'id') $1::uuid, (r->>'id')::uuid, r->>'masked',
           ARRAY(SELECT jsonb_array_elements_text(r->'lists')), r->>'locale', $3::timestamptz
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(r, n)
         ORDER BY r->>'id', n DESC
         ON CONFLICT (tenant_id, contact_id) DO UPDATE SET masked_address = EXCLUDED.masked_address, lists = EXCLUDED.lists,
           locale = EXCLUDED.locale, updated_at = EXCLUDED.updated_at WHERE unsubscribe_contacts.updated_at <= EXCLUDED.updated_at`,
        [event.tenantId, JSON.stringify(rows), event.occurredAt],
      );
      // R-U2: opt-outs that came before their contact take effect now, in this transaction.
      await this.awaiting.release(
        m,
        batch.region,
        event.tenantId,
        rows.map((r) => r.id),
      );
    }
  }

  @ConsumeEvents('unsubscribe', CONTACT_ERASED)
  async erased(batch: EventBatch<ContactErasedV1>): Promise<void> {
    for (const event of batch.events) {
      if (!event.tenantId) continue;
      await enterTenant(batch.manager!, event.tenantId);
      await batch.manager!.query('DELETE FROM unsubscribe_contacts WHERE tenant_id = $1 AND contact_id = $2', [
        event.tenantId,
        event.data.contactId,
      ]);
    }
  }
}
