import { Controller } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ContactChangedV2,
  ContactErasedV1,
  ContactPersonalFieldsV1,
  EventEnvelope,
  UnsubscribeRecordedV1,
} from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { TenantKeys } from '@missive/tenant-keys';

async function asTenant(m: EntityManager, tenantId: string): Promise<void> {
  await m.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
}

/**
 * The campaigns service's own view of contacts (it never reads the contacts service's tables): kept current by
 * contact events, whose personal fields arrive sealed with the tenant key (R-P2), and by unsubscribes, applied at
 * once so a campaign already sending honours them (R-U2, R-S2).
 */
@Controller()
export class ContactProjectionConsumer {
  constructor(private readonly keys: TenantKeys) {}

  @ConsumeEvents('campaigns', 'contact.changed')
  async changed(batch: EventBatch<ContactChangedV2>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      // v1 events carried ids only; the projection is built from v2.
      if (event.version !== 2 || !event.tenantId) continue;
      const d = event.data;
      const personal = await this.keys.open<ContactPersonalFieldsV1>(batch.region, event.tenantId, d.personal);
      if (!personal) continue; // the tenant was purged: nothing to keep
      await asTenant(m, event.tenantId);
      await m.query(
        `INSERT INTO campaign_contacts (tenant_id, contact_id, email, region, lawful_basis, status, consent_withdrawn, objected,
           tracking_consent, birth_date, lists, tags, variables, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (tenant_id, contact_id) DO UPDATE SET email = EXCLUDED.email, region = EXCLUDED.region,
           lawful_basis = EXCLUDED.lawful_basis, status = EXCLUDED.status, consent_withdrawn = EXCLUDED.consent_withdrawn,
           objected = EXCLUDED.objected, tracking_consent = EXCLUDED.tracking_consent, birth_date = EXCLUDED.birth_date,
           lists = EXCLUDED.lists, tags = EXCLUDED.tags, variables = EXCLUDED.variables, updated_at = EXCLUDED.updated_at
         WHERE campaign_contacts.updated_at <= EXCLUDED.updated_at`,
        [
          event.tenantId,
          d.contactId,
          personal.email,
          d.region,
          d.lawfulBasis,
          d.status,
          d.consentWithdrawn,
          d.objected,
          d.trackingConsent,
          personal.birthDate,
          d.lists,
          d.tags,
          JSON.stringify({
            firstName: personal.firstName,
            lastName: personal.lastName,
            phone: personal.phone,
            locale: personal.locale,
            attributes: personal.attributes,
          }),
          event.occurredAt,
        ],
      );
    }
  }

  @ConsumeEvents('campaigns', 'contact.erased')
  async erased(batch: EventBatch<ContactErasedV1>): Promise<void> {
    for (const event of batch.events) {
      if (!event.tenantId) continue;
      await asTenant(batch.manager!, event.tenantId);
      await batch.manager!.query('DELETE FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2', [
        event.tenantId,
        event.data.contactId,
      ]);
    }
  }

  @ConsumeEvents('campaigns', 'unsubscribe.recorded')
  async unsubscribed(batch: EventBatch<UnsubscribeRecordedV1>): Promise<void> {
    for (const event of batch.events as EventEnvelope<UnsubscribeRecordedV1>[]) {
      if (!event.tenantId) continue;
      const m = batch.manager!;
      await asTenant(m, event.tenantId);
      const { contactId, lists, campaignId } = event.data;
      if (lists === null) {
        await m.query(`UPDATE campaign_contacts SET status = 'unsubscribed' WHERE tenant_id = $1 AND contact_id = $2`, [
          event.tenantId,
          contactId,
        ]);
      } else {
        await m.query(
          `UPDATE campaign_contacts SET lists = ARRAY(SELECT unnest(lists) EXCEPT SELECT unnest($3::text[])) WHERE tenant_id = $1 AND contact_id = $2`,
          [event.tenantId, contactId, lists],
        );
      }
      if (campaignId) {
        await m.query(
          `INSERT INTO campaign_engagement (tenant_id, campaign_id, unsubscribes) VALUES ($1, $2, 1)
           ON CONFLICT (campaign_id) DO UPDATE SET unsubscribes = campaign_engagement.unsubscribes + 1`,
          [event.tenantId, campaignId],
        );
      }
    }
  }
}
