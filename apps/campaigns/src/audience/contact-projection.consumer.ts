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
import { EngagementCountsRepository } from '../reports/engagement-counts.repository';
import { ContactEngagementRepository } from './contact-engagement.repository';
import { ContactProjectionRepository } from './contact-projection.repository';
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
  constructor(
    private readonly keys: TenantKeys,
    private readonly projection: ContactProjectionRepository,
    private readonly engagement: ContactEngagementRepository,
    private readonly counts: EngagementCountsRepository,
  ) {}

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
      await this.projection.upsertNewest(
        m,
        tenantId,
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
      );
    }
  }

  @ConsumeEvents('campaigns', CONTACT_ERASED)
  async erased(batch: EventBatch<ContactErasedV1>): Promise<void> {
    for (const event of batch.events) {
      if (!event.tenantId) continue;
      await asTenant(batch.manager!, event.tenantId);
      await this.projection.remove(batch.manager!, event.tenantId, event.data.contactId);
      await this.engagement.remove(batch.manager!, event.tenantId, event.data.contactId);
    }
  }

  @ConsumeEvents('campaigns', UNSUBSCRIBE_RECORDED)
  async unsubscribed(batch: EventBatch<UnsubscribeRecordedV1>): Promise<void> {
    const m = batch.manager!;
    for (const tenant of unsubscribeEffects(batch.events as EventEnvelope<UnsubscribeRecordedV1>[])) {
      await asTenant(m, tenant.tenantId);
      if (tenant.optedOut.length) await this.projection.markUnsubscribed(m, tenant.tenantId, tenant.optedOut);
      for (const { contactId, lists } of tenant.listsLeft)
        await this.projection.leaveLists(m, tenant.tenantId, contactId, lists);
      // Last, so that the report rows, locked until commit by every batch, are held the shortest time.
      if (tenant.perCampaign.length) await this.counts.addUnsubscribes(m, tenant.tenantId, tenant.perCampaign);
    }
  }
}
