import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MissiveConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { ConflictError, InvalidInputError, NotFoundError } from '@missive/http';
import { keyedAddressHash } from '@missive/tenant-keys';
import { apiKeyActor, AuditLog, type TenantContext } from '@missive/tenancy';
import {
  ContactErasure,
  contactInput,
  ContactEvents,
  emailSyntaxProblem,
  type FieldProblem,
  normaliseEmail,
  readDoubleOptIn,
  validateContactInput,
  WRITABLE_FIELDS,
} from '@missive/contact-domain';
import { ContactsRepository, type ContactRow } from './contacts.repository';
import { toContactResponse, type ContactResponse } from './dto/contact.dto';

type Tenant = Pick<TenantContext, 'id' | 'region' | 'transferSafeguard'>;

function invalid(errors: FieldProblem[]): InvalidInputError {
  return new InvalidInputError(`Invalid contact: ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors);
}

/** The body without `doubleOptIn`, and that flag read (R-C8); a body that is no object goes on to the rules as it is. */
function splitDoubleOptIn(body: unknown): {
  doubleOptIn: ReturnType<typeof readDoubleOptIn>;
  fields: unknown;
} {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { doubleOptIn: { value: false }, fields: body };
  }
  const { doubleOptIn, ...fields } = body as Record<string, unknown>;
  return { doubleOptIn: readDoubleOptIn(doubleOptIn), fields };
}

/** Contact create/upsert, read, patch and erasure: load, apply the rules, write and publish in one transaction. */
@Injectable()
export class ContactsService {
  constructor(
    private readonly databases: Databases,
    private readonly contacts: ContactsRepository,
    private readonly events: ContactEvents,
    private readonly erasure: ContactErasure,
    private readonly audit: AuditLog,
    private readonly config: MissiveConfig,
  ) {}

  /** `contact.changed` v2 with the contact's new state, in the same transaction (R-X5). */
  private changed(m: EntityManager, tenant: Tenant, row: ContactRow) {
    return this.events.changed(m, tenant, [row]);
  }

  /** R-D2: an erased person who had opted out is known to the suppression list only by this keyed hash. */
  private async addressHash(tenant: Tenant, email: string): Promise<string> {
    return keyedAddressHash(await this.events.dataKey(tenant), email);
  }

  /** POST /v1/contacts: create (201) or update by email (200); identical input changes nothing. */
  async upsert(tenant: Tenant, body: unknown): Promise<{ created: boolean; contact: ContactResponse }> {
    // R-C8: `doubleOptIn` decides a new contact's first status only; it is not a stored field.
    const { doubleOptIn, fields } = splitDoubleOptIn(body);
    const result = validateContactInput(fields, tenant, this.config.minimumAges);
    if (!result.ok || 'problem' in doubleOptIn) {
      throw invalid([...(result.ok ? [] : result.errors), ...('problem' in doubleOptIn ? [doubleOptIn.problem] : [])]);
    }
    const addressHash = await this.addressHash(tenant, result.contact.email);
    return this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const { row, inserted } = await this.contacts.upsert(m, tenant.id, result.contact, addressHash, {
        doubleOptIn: doubleOptIn.value,
      });
      if (inserted !== null) await this.changed(m, tenant, row);
      return { created: inserted === true, contact: toContactResponse(row) };
    });
  }

  async get(tenant: Tenant, id: string): Promise<ContactResponse> {
    const row = await this.databases.withTenant(tenant.region, tenant.id, (m) =>
      this.contacts.findById(m, tenant.id, id),
    );
    if (!row) throw new NotFoundError('Contact');
    return toContactResponse(row);
  }

  async getByEmail(tenant: Tenant, email: unknown): Promise<ContactResponse> {
    // A repeated `email` in the query arrives as an array: one address, never a list (R-X6).
    if (Array.isArray(email)) throw invalid([{ field: 'email', reason: 'must be given once' }]);
    if (typeof email !== 'string' || !email) throw invalid([{ field: 'email', reason: 'is required' }]);
    const normalised = normaliseEmail(email);
    const problem = emailSyntaxProblem(normalised);
    if (problem) throw invalid([{ field: 'email', reason: problem }]);
    const row = await this.databases.withTenant(tenant.region, tenant.id, (m) =>
      this.contacts.findByEmail(m, tenant.id, normalised),
    );
    if (!row) throw new NotFoundError('Contact');
    return toContactResponse(row);
  }

  /** PATCH: the given fields replace the stored ones (`null` clears one); the result must pass every rule. */
  async patch(tenant: Tenant, id: string, body: unknown): Promise<ContactResponse> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalid([{ field: 'body', reason: 'must be a JSON object' }]);
    }
    const unknown = Object.keys(body).filter((k) => !(WRITABLE_FIELDS as readonly string[]).includes(k));
    if (unknown.length > 0) throw invalid(unknown.map((field) => ({ field, reason: 'unknown field' })));
    return this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const existing = await this.contacts.findById(m, tenant.id, id, true);
      if (!existing) throw new NotFoundError('Contact');
      const result = validateContactInput({ ...contactInput(existing), ...body }, tenant, this.config.minimumAges);
      if (!result.ok) throw invalid(result.errors);
      // R-D2: a new address that an erased opted-out person had lands suppressed, as in POST /v1/contacts.
      const addressHash = await this.addressHash(tenant, result.contact.email);
      let updated: ContactRow | null;
      try {
        updated = await this.contacts.update(m, tenant.id, id, result.contact, addressHash);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') {
          throw new ConflictError('email_taken', 'Another contact of this tenant has that email address');
        }
        throw error;
      }
      if (!updated) return toContactResponse(existing);
      await this.changed(m, tenant, updated);
      return toContactResponse(updated);
    });
  }

  /**
   * DELETE: the full R-D1 erasure, the same as the privacy service's `erasure` request — every regional row of the
   * contact, its suppression row (a keyed hash stays if the person had opted out, R-D2), `contact.erased` for the
   * other stores, and, once committed, the send gates' opt-out set.
   */
  async erase(tenant: Tenant & Pick<TenantContext, 'apiKeyId'>, id: string): Promise<void> {
    const { afterCommit } = await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const contact = await this.contacts.findById(m, tenant.id, id, true);
      if (!contact) throw new NotFoundError('Contact');
      return this.erasure.erase(m, tenant, { email: contact.email, contact });
    });
    await afterCommit();
    // R-A3: an erasure is security-relevant; the entry names ids only (the global log holds no personal data).
    await this.audit.append({
      actor: apiKeyActor(tenant),
      action: 'contact.erased',
      tenantId: tenant.id,
      details: { contactId: id },
    });
  }
}
