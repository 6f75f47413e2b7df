import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { SUPPRESSION_CHANGED, type SuppressionChangedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { ConflictError, InvalidInputError, NotFoundError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { optOutSetKey, RedisClients } from '@missive/redis';
import { keyedAddressHash } from '@missive/tenant-keys';
import type { TenantContext } from '@missive/tenancy';
import {
  contactInput,
  ContactEvents,
  type FieldProblem,
  resubscribe,
  resubscribeRefusal,
  RESUBSCRIBE_LIFTS_SUPPRESSION_REASONS,
  validateContactInput,
} from '@missive/contact-domain';
import { ContactsRepository } from '../contacts/contacts.repository';
import { toContactResponse, type ContactResponse } from '../contacts/dto/contact.dto';
import { SuppressionsRepository } from '../suppressions/suppressions.repository';

type Tenant = Pick<TenantContext, 'id' | 'region' | 'transferSafeguard'>;

const BODY_FIELDS = ['consent', 'lists'];

function invalid(errors: FieldProblem[]): InvalidInputError {
  return new InvalidInputError(`Invalid resubscribe: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
}

/**
 * POST /v1/contacts/{id}/resubscribe (R-U4, R-S8): the only way back after an opt-out, a list opt-out or a bounce.
 * The new consent record, the contact's new state, the lifted suppressions and `contact.changed` commit together
 * (R-X5); then the send gates' opt-out set forgets the contact.
 */
@Injectable()
export class ResubscribeService {
  constructor(
    private readonly databases: Databases,
    private readonly contacts: ContactsRepository,
    private readonly suppressions: SuppressionsRepository,
    private readonly events: ContactEvents,
    private readonly redis: RedisClients,
    private readonly config: MissiveConfig,
  ) {}

  async resubscribe(tenant: Tenant, id: string, body: unknown): Promise<ContactResponse> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalid([{ field: 'body', reason: 'must be a JSON object' }]);
    }
    const raw = body as Record<string, unknown>;
    const unknown = Object.keys(raw).filter((k) => !BODY_FIELDS.includes(k));
    if (unknown.length > 0) throw invalid(unknown.map((field) => ({ field, reason: 'unknown field' })));
    if (raw.consent === undefined || raw.consent === null) {
      throw invalid([{ field: 'consent', reason: 'is required: a resubscribe needs a new consent record' }]);
    }
    const addressHashOf = async (email: string) => keyedAddressHash(await this.events.dataKey(tenant), email);
    const row = await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const existing = await this.contacts.findById(m, tenant.id, id, true);
      if (!existing) throw new NotFoundError('Contact');
      // The stored contact with the new consent as its lawful basis and the lists named: every rule still holds.
      const checked = validateContactInput(
        { ...contactInput(existing), lawfulBasis: 'consent', consent: raw.consent, lists: raw.lists ?? [] },
        tenant,
        this.config.minimumAges,
      );
      if (!checked.ok) throw invalid(checked.errors);
      const consent = checked.contact.consent!;
      if (existing.consent?.givenAt === consent.givenAt && existing.consent.source === consent.source) {
        throw invalid([{ field: 'consent.givenAt', reason: 'is the stored consent: a resubscribe needs a new one' }]);
      }
      const refusal = resubscribeRefusal(existing.status);
      if (refusal) throw new ConflictError(refusal.code, refusal.message);
      // The suppressions the person caused go with `suppression.changed`; one the tenant made stays.
      const { removed, stillSuppressed } = await this.suppressions.removeWithReasons(
        m,
        tenant.id,
        existing.email,
        await addressHashOf(existing.email),
        RESUBSCRIBE_LIFTS_SUPPRESSION_REASONS,
      );
      if (removed > 0) {
        const data: SuppressionChangedV1 = { action: 'removed', contactId: existing.id };
        await appendToOutbox(m, [{ type: SUPPRESSION_CHANGED, region: tenant.region, tenantId: tenant.id, data }]);
      }
      const state = resubscribe(
        { lists: existing.lists, listsLeft: existing.lists_left },
        checked.contact.lists,
        stillSuppressed,
      );
      const updated = await this.contacts.resubscribe(m, tenant.id, id, { ...state, consent });
      await this.events.changed(m, tenant, [updated]);
      return updated;
    });
    // After the commit: the send gates read this set before the event reaches them (R-U2's fast path, undone).
    await this.redis.forRegion(tenant.region).srem(optOutSetKey(tenant.region, tenant.id), row.id);
    return toContactResponse(row);
  }
}
