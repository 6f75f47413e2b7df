import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  contactInput,
  ContactEvents,
  markOptedOut,
  recordOptOut,
  validateContactInput,
  type TenantFacts,
} from '@missive/contact-domain';
import { CONTACT_ERASED, type ContactErasedV1, type Region } from '@missive/contracts';
import { ConflictError, InvalidInputError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { optOutSetKey, RedisClients } from '@missive/redis';
import { TenantKeys } from '@missive/tenant-keys';
import { DataSubjectRepository, type SubjectContact } from './data-subject.repository';
import { ErasureRepository } from './erasure.repository';
import { keepsSuppressionHash, type PrivacyRequestType } from './privacy-request.rules';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { SubjectContactRepository } from './subject-contact.repository';

export type ActionTenant = TenantFacts & { id: string; region: Region };

/** The person a request is about, as found in the tenant's database. */
export interface Subject {
  email: string;
  addressHash: string;
  contact: SubjectContact | null;
  suppressed: boolean;
}

export interface ActionOutcome {
  /** What the request's `result` shows: the access record, or what was done (ids and counts, no personal data). */
  result: unknown;
  /** Redis work that must follow the commit (the send gates' opt-out set, R-U2). */
  afterCommit?: () => Promise<void>;
}

/**
 * Carries out a data-subject request that can be served (R-D1), inside the caller's tenant transaction, so the
 * changes, their events (R-X5) and the request's record commit together.
 */
@Injectable()
export class DataSubjectActions {
  constructor(
    private readonly subjects: DataSubjectRepository,
    private readonly contacts: SubjectContactRepository,
    private readonly erasure: ErasureRepository,
    private readonly requests: PrivacyRequestsRepository,
    private readonly events: ContactEvents,
    private readonly keys: TenantKeys,
    private readonly redis: RedisClients,
  ) {}

  async find(m: EntityManager, tenant: ActionTenant, email: string): Promise<Subject> {
    return {
      email,
      addressHash: await this.keys.addressHash(tenant.region, tenant.id, email),
      contact: await this.subjects.findContact(m, tenant.id, email, true),
      suppressed: await this.subjects.isSuppressed(m, tenant.id, email),
    };
  }

  perform(
    m: EntityManager,
    tenant: ActionTenant,
    type: PrivacyRequestType,
    subject: Subject,
    changes: Record<string, unknown> | undefined,
  ): Promise<ActionOutcome> {
    switch (type) {
      case 'access':
      case 'portability':
        return this.access(m, tenant, subject);
      case 'erasure':
        return this.erase(m, tenant, subject);
      case 'rectification':
        return this.rectify(m, tenant, subject.contact!, changes ?? {});
      case 'restriction':
        return this.restrict(m, tenant, subject.contact!);
      case 'objection':
        return this.object(m, tenant, subject.contact!);
    }
  }

  private async access(m: EntityManager, tenant: ActionTenant, subject: Subject): Promise<ActionOutcome> {
    return { result: await this.subjects.accessRecord(m, tenant.id, subject.email, subject.contact) };
  }

  /** R-D1 erasure in every regional table, the send gates' opt-out set and downstream stores (`contact.erased`). */
  private async erase(m: EntityManager, tenant: ActionTenant, subject: Subject): Promise<ActionOutcome> {
    const { contact } = subject;
    // R-D2: decided before anything is deleted, from every trace of an opt-out.
    const keepHash = keepsSuppressionHash({
      contactStatus: contact?.status ?? null,
      fullOptOuts: contact ? await this.subjects.fullOptOuts(m, tenant.id, contact.id) : 0,
      onSuppressionList: subject.suppressed,
    });
    const deleted = contact ? await this.erasure.eraseContact(m, tenant.id, contact.id) : {};
    if (await this.erasure.replaceSuppression(m, tenant.id, subject.email, keepHash ? subject.addressHash : null)) {
      deleted.suppressions = 1;
    }
    await this.requests.forgetResultsOf(m, tenant.id, {
      contactId: contact?.id ?? null,
      addressHash: subject.addressHash,
    });
    if (!contact) return { result: { deleted, suppressionHashKept: keepHash } };
    const data: ContactErasedV1 = { contactId: contact.id };
    await appendToOutbox(m, [
      { type: CONTACT_ERASED, region: tenant.region, tenantId: tenant.id, key: contact.id, data },
    ]);
    return {
      result: { deleted, suppressionHashKept: keepHash },
      afterCommit: async () => {
        await this.redis.forRegion(tenant.region).srem(optOutSetKey(tenant.region, tenant.id), contact.id);
      },
    };
  }

  /** R-D1 rectification: the same writable fields and rules as PATCH /v1/contacts, and the same event. */
  private async rectify(
    m: EntityManager,
    tenant: ActionTenant,
    contact: SubjectContact,
    changes: Record<string, unknown>,
  ): Promise<ActionOutcome> {
    const checked = validateContactInput({ ...contactInput(contact), ...changes }, tenant);
    if (!checked.ok) {
      const fields = [...new Set(checked.errors.map((e) => e.field))].join(', ');
      throw new InvalidInputError(
        `Invalid changes: ${fields}`,
        checked.errors.map((e) => ({ ...e, field: `changes.${e.field}` })),
      );
    }
    const addressHash = await this.keys.addressHash(tenant.region, tenant.id, checked.contact.email);
    let changed;
    try {
      changed = await this.contacts.rectify(m, tenant.id, contact.id, checked.contact, addressHash);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError('email_taken', 'Another contact of this tenant has that email address');
      }
      throw error;
    }
    if (changed) await this.events.changed(m, tenant, [changed]);
    return { result: { contactId: contact.id, changedFields: changed ? Object.keys(changes).sort() : [] } };
  }

  /** R-D1 restriction: kept, never processed; `contact.changed` tells every send gate and projection. */
  private async restrict(m: EntityManager, tenant: ActionTenant, contact: SubjectContact): Promise<ActionOutcome> {
    const changed = await this.contacts.restrict(m, tenant.id, contact.id);
    if (changed) await this.events.changed(m, tenant, [changed]);
    return { result: { contactId: contact.id, status: 'restricted' } };
  }

  /** R-D1 objection = unsubscribe: the opt-out the unsubscribe service records, with source `objection`. */
  private async object(m: EntityManager, tenant: ActionTenant, contact: SubjectContact): Promise<ActionOutcome> {
    const optOut = { tenantId: tenant.id, region: tenant.region, contactId: contact.id, campaignId: null, lists: null };
    await recordOptOut(m, { ...optOut, source: 'objection' });
    return {
      result: { contactId: contact.id, optedOut: true },
      afterCommit: () => markOptedOut(this.redis.forRegion(tenant.region), tenant.region, tenant.id, contact.id),
    };
  }
}
