import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MissiveConfig } from '@missive/config';
import {
  ContactErasure,
  contactInput,
  ContactEvents,
  markOptedOut,
  recordOptOut,
  validateContactInput,
  type TenantFacts,
} from '@missive/contact-domain';
import type { Region } from '@missive/contracts';
import { ConflictError, InvalidInputError } from '@missive/http';
import { RedisClients } from '@missive/redis';
import { TenantKeys } from '@missive/tenant-keys';
import { DataSubjectRepository, type SubjectContact } from './data-subject.repository';
import type { PrivacyRequestType } from './privacy-request.rules';
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
    private readonly erasure: ContactErasure,
    private readonly events: ContactEvents,
    private readonly keys: TenantKeys,
    private readonly redis: RedisClients,
    private readonly config: MissiveConfig,
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

  /** R-D1 erasure: the same one as DELETE /v1/contacts/{id} (every store, R-D2's keyed hash when due). */
  private async erase(m: EntityManager, tenant: ActionTenant, subject: Subject): Promise<ActionOutcome> {
    const { deleted, suppressionHashKept, afterCommit } = await this.erasure.erase(m, tenant, subject);
    return { result: { deleted, suppressionHashKept }, afterCommit };
  }

  /** R-D1 rectification: the same writable fields and rules as PATCH /v1/contacts, and the same event. */
  private async rectify(
    m: EntityManager,
    tenant: ActionTenant,
    contact: SubjectContact,
    changes: Record<string, unknown>,
  ): Promise<ActionOutcome> {
    const checked = validateContactInput({ ...contactInput(contact), ...changes }, tenant, this.config.minimumAges);
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
