import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContactEvents } from '@missive/contact-domain';
import {
  SUPPRESSION_CHANGED,
  type DeliveryRecordedV1,
  type Region,
  type SuppressionChangedV1,
} from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
import { ContactsRepository } from '../contacts/contacts.repository';
import { SuppressionsRepository } from '../suppressions/suppressions.repository';
import { deliveryVerdict } from './delivery-outcome.rules';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { enterTenant } from '@missive/database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTCOMES = new Set(['hard-bounce', 'soft-bounce', 'complaint']);

/** The v1 payload's shape, checked at the consumer (contracts that are true): anything else is skipped. */
export function isDeliveryRecordedV1(data: unknown): data is DeliveryRecordedV1 {
  const d = data as Partial<DeliveryRecordedV1> | null;
  return (
    !!d &&
    typeof d === 'object' &&
    typeof d.contactId === 'string' &&
    UUID.test(d.contactId) &&
    typeof d.outcome === 'string' &&
    OUTCOMES.has(d.outcome) &&
    typeof d.at === 'string' &&
    !Number.isNaN(Date.parse(d.at))
  );
}

/**
 * Applies one delivery outcome to its contact (R-S8): soft bounces are counted on the row, the rules decide, and the
 * new status, the suppression with its reason, `suppression.changed` and `contact.changed` commit together in the
 * caller's transaction (R-X5), so every send gate's projection refuses the address once the events land.
 */
@Injectable()
export class DeliveryOutcomesService {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly suppressions: SuppressionsRepository,
    private readonly outcomes: DeliveryOutcomesRepository,
    private readonly events: ContactEvents,
  ) {}

  async apply(m: EntityManager, tenant: { id: string; region: Region }, data: DeliveryRecordedV1): Promise<void> {
    await enterTenant(m, tenant.id);
    const contact = await this.contacts.findById(m, tenant.id, data.contactId, true);
    if (!contact) return; // erased meanwhile: nothing is kept on a person who is gone
    const softBounces =
      data.outcome === 'soft-bounce'
        ? ((await this.outcomes.addSoftBounce(m, tenant.id, contact.id, new Date(data.at))) ?? 0)
        : 0;
    const verdict = deliveryVerdict(contact.status, data.outcome, softBounces);
    if (verdict.suppress) {
      const added = await this.suppressions.addMany(m, tenant.id, [{ email: contact.email, reason: verdict.suppress }]);
      if (added.length > 0) {
        const event: SuppressionChangedV1 = { action: 'added', contactId: contact.id };
        await appendToOutbox(m, [
          { type: SUPPRESSION_CHANGED, region: tenant.region, tenantId: tenant.id, data: event },
        ]);
      }
    }
    if (verdict.status && (await this.outcomes.setStatus(m, tenant.id, contact.id, verdict.status))) {
      const changed = await this.contacts.findById(m, tenant.id, contact.id);
      if (changed) await this.events.changed(m, tenant, [changed]);
    }
  }
}
