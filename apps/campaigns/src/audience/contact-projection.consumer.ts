import { Controller } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  carriesContactState,
  CONTACT_CHANGED,
  CONTACT_ERASED,
  contactStatesOf,
  type ContactChangedStateEvent,
  type ContactErasedV1,
  type ContactPersonalFieldsV1,
  type ContactStateV2,
  type EventEnvelope,
  type UnsubscribeRecordedV1,
  UNSUBSCRIBE_RECORDED,
} from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { TenantKeys } from '@missive/tenant-keys';
import { unsubscribeEffects } from './unsubscribe-effects';
import { enterTenant } from '@missive/database';

async function asTenant(m: EntityManager, tenantId: string): Promise<void> {
  await enterTenant(m, tenantId);
}

/**
 * The campaigns service's own view of contacts (it never reads the contacts service's tables): kept current by
 * contact events, whose personal fields arrive sealed with the tenant key (R-P2), and by unsubscribes, applied at
 * once so a campaign already sending honours them (R-U2, R-S2).
 */
@Controller()
export class ContactProjectionConsumer {
  constructor(private readonly keys: TenantKeys) {}

  @ConsumeEvents('campaigns', CONTACT_CHANGED)
  async changed(batch: EventBatch<ContactChangedStateEvent>): Promise<void> {
    const m = batch.manager!;
    const byTenant = new Map<string, EventEnvelope<ContactChangedStateEvent>[]>();
    for (const event of batch.events) {
      // v1 events carried ids only; the projection is built from v2 (one contact) and v3/v4 (an import's batch).
      if (!carriesContactState(event) || !event.tenantId) continue;
      byTenant.set(event.tenantId, [...(byTenant.get(event.tenantId) ?? []), event]);
    }
    for (const [tenantId, events] of byTenant) {
      // Every contact key of the tenant's events in one read; an erased contact's fields (or a purged tenant's) open
      // as null and are skipped (R-D1, R-P2).
      const openedAll = await this.keys.openAll<ContactPersonalFieldsV1 | ContactPersonalFieldsV1[]>(
        batch.region,
        tenantId,
        events.map((e) => e.data.personal),
      );
      const rows = events.flatMap((e, i) => {
        const opened = openedAll[i];
        if (opened === null) return [];
        return contactStatesOf(e).flatMap(({ state, personalIndex }) => {
          const personal = (personalIndex === null ? opened : (opened as ContactPersonalFieldsV1[])[personalIndex]) as
            | ContactPersonalFieldsV1
            | undefined;
          const data: ContactStateV2 = state;
          return personal ? [{ e: { data, occurredAt: e.occurredAt }, personal }] : [];
        });
      });
      if (rows.length === 0) continue;
      await asTenant(m, tenantId);
      // One statement per tenant and batch; created_at is the first time the projection heard of the contact (its
      // creation publishes the first event; R-C9's createdAt). The newest state wins (an import's v3 or v4 and a contact's v2 events
      // travel on different partitions, so by occurredAt, then by position).
      await m.query(
        `INSERT INTO campaign_contacts (tenant_id, contact_id, email, region, lawful_basis, status, consent_withdrawn, objected,
           tracking_consent, birth_date, lists, tags, variables, updated_at, created_at)
         SELECT DISTINCT ON (r->>'contactId') $1::uuid, (r->>'contactId')::uuid, r->>'email', r->>'region', r->>'lawfulBasis', r->>'status',
           (r->>'consentWithdrawn')::boolean, (r->>'objected')::boolean, (r->>'trackingConsent')::boolean, (r->>'birthDate')::date,
           ARRAY(SELECT jsonb_array_elements_text(r->'lists')), ARRAY(SELECT jsonb_array_elements_text(r->'tags')), r->'variables',
           (r->>'occurredAt')::timestamptz, (r->>'occurredAt')::timestamptz
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(r, n)
         ORDER BY r->>'contactId', (r->>'occurredAt')::timestamptz DESC, n DESC
         ON CONFLICT (tenant_id, contact_id) DO UPDATE SET email = EXCLUDED.email, region = EXCLUDED.region,
           lawful_basis = EXCLUDED.lawful_basis, status = EXCLUDED.status, consent_withdrawn = EXCLUDED.consent_withdrawn,
           objected = EXCLUDED.objected, tracking_consent = EXCLUDED.tracking_consent, birth_date = EXCLUDED.birth_date,
           lists = EXCLUDED.lists, tags = EXCLUDED.tags, variables = EXCLUDED.variables, updated_at = EXCLUDED.updated_at,
           created_at = LEAST(campaign_contacts.created_at, EXCLUDED.created_at)
         WHERE campaign_contacts.updated_at <= EXCLUDED.updated_at`,
        [
          tenantId,
          JSON.stringify(
            rows.map(({ e, personal }) => ({
              contactId: e.data.contactId,
              email: personal.email,
              region: e.data.region,
              lawfulBasis: e.data.lawfulBasis,
              status: e.data.status,
              consentWithdrawn: e.data.consentWithdrawn,
              objected: e.data.objected,
              trackingConsent: e.data.trackingConsent,
              birthDate: personal.birthDate,
              lists: e.data.lists,
              tags: e.data.tags,
              variables: {
                firstName: personal.firstName,
                lastName: personal.lastName,
                phone: personal.phone,
                locale: personal.locale,
                attributes: personal.attributes,
              },
              occurredAt: e.occurredAt,
            })),
          ),
        ],
      );
    }
  }

  @ConsumeEvents('campaigns', CONTACT_ERASED)
  async erased(batch: EventBatch<ContactErasedV1>): Promise<void> {
    for (const event of batch.events) {
      if (!event.tenantId) continue;
      await asTenant(batch.manager!, event.tenantId);
      await batch.manager!.query('DELETE FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2', [
        event.tenantId,
        event.data.contactId,
      ]);
      await batch.manager!.query('DELETE FROM campaign_contact_engagement WHERE tenant_id = $1 AND contact_id = $2', [
        event.tenantId,
        event.data.contactId,
      ]);
    }
  }

  @ConsumeEvents('campaigns', UNSUBSCRIBE_RECORDED)
  async unsubscribed(batch: EventBatch<UnsubscribeRecordedV1>): Promise<void> {
    const m = batch.manager!;
    for (const tenant of unsubscribeEffects(batch.events as EventEnvelope<UnsubscribeRecordedV1>[])) {
      await asTenant(m, tenant.tenantId);
      if (tenant.optedOut.length)
        await m.query(
          `UPDATE campaign_contacts SET status = 'unsubscribed' WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])`,
          [tenant.tenantId, tenant.optedOut],
        );
      for (const { contactId, lists } of tenant.listsLeft)
        await m.query(
          `UPDATE campaign_contacts SET lists = ARRAY(SELECT unnest(lists) EXCEPT SELECT unnest($3::text[])) WHERE tenant_id = $1 AND contact_id = $2`,
          [tenant.tenantId, contactId, lists],
        );
      // Last, one statement, campaigns in id order: the report rows are locked until commit, by every batch. Only
      // the tenant's own campaigns count (R-T1): an upsert reaching another tenant's report row is refused by
      // row-level security whatever its WHERE, and the consumer would retry that batch for good.
      if (tenant.perCampaign.length)
        await m.query(
          `INSERT INTO campaign_engagement (tenant_id, campaign_id, unsubscribes)
           SELECT $1, campaign_id, n FROM unnest($2::uuid[], $3::int[]) AS u(campaign_id, n)
            WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.tenant_id = $1 AND c.id = u.campaign_id)
           ON CONFLICT (campaign_id) DO UPDATE SET unsubscribes = campaign_engagement.unsubscribes + EXCLUDED.unsubscribes`,
          [tenant.tenantId, tenant.perCampaign.map((c) => c.campaignId), tenant.perCampaign.map((c) => c.count)],
        );
    }
  }
}
