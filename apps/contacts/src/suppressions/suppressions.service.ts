import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SUPPRESSION_CHANGED, type SuppressionChangedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { InvalidInputError, NotFoundError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { apiKeyActor, AuditLog, type TenantContext } from '@missive/tenancy';
import { keyedAddressHash } from '@missive/tenant-keys';
import { ContactEvents, normaliseEmail } from '@missive/contact-domain';
import { ContactsRepository, type ContactRow } from '../contacts/contacts.repository';
import { toSuppressionResponse, type SuppressionPage, type SuppressionResponse } from './dto/suppression.dto';
import {
  decodeSuppressionCursor,
  encodeSuppressionCursor,
  validateSuppressionInput,
  type SuppressionInput,
} from './suppression.rules';
import { SuppressionsRepository } from './suppressions.repository';

type Tenant = Pick<TenantContext, 'id' | 'region'>;

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** The reasons Missive itself gives; a tenant's own reason is free text and is audited only as `custom` (R-T2). */
const REASON_CODES = new Set(['manual', 'unsubscribed', 'bounced', 'complained']);
const reasonCode = (reason: string): string => (REASON_CODES.has(reason) ? reason : 'custom');

/** A tenant's suppression list (R-U5): adding one suppresses the contact with that address at once (R-C7). */
@Injectable()
export class SuppressionsService {
  constructor(
    private readonly databases: Databases,
    private readonly suppressions: SuppressionsRepository,
    private readonly contacts: ContactsRepository,
    private readonly events: ContactEvents,
    private readonly audit: AuditLog,
  ) {}

  async list(tenant: Tenant, limitText?: string, cursor?: string): Promise<SuppressionPage> {
    const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new InvalidInputError('Invalid page', [
        { field: 'limit', reason: `must be a whole number 1 to ${MAX_PAGE}` },
      ]);
    }
    const after = cursor ? decodeSuppressionCursor(cursor) : null;
    if (cursor && after === null) {
      throw new InvalidInputError('Invalid page', [{ field: 'cursor', reason: 'is not a cursor of this list' }]);
    }
    const rows = await this.databases.withTenant(tenant.region, tenant.id, (m) =>
      this.suppressions.list(m, tenant.id, limit + 1, after),
    );
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? encodeSuppressionCursor(page[page.length - 1].email) : null;
    return { items: page.map(toSuppressionResponse), next };
  }

  async add(tenant: Tenant, body: unknown): Promise<SuppressionResponse> {
    const result = validateSuppressionInput(body);
    if (!result.ok) throw new InvalidInputError('Invalid suppression', result.errors);
    const { email } = result.suppression;
    return this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      await this.addAll(m, tenant, [result.suppression]);
      return toSuppressionResponse((await this.suppressions.find(m, tenant.id, email))!);
    });
  }

  /**
   * Adds the suppressions not on the list yet (distinct, valid addresses), in the caller's tenant transaction, and
   * everything that follows from them: the active contacts with those addresses become suppressed (R-C7), and
   * `suppression.changed` plus `contact.changed` go out with the change (R-X5). The one path for a single add, a
   * CSV import and an unsubscribe; returns the addresses it added.
   */
  async addAll(m: EntityManager, tenant: Tenant, suppressions: readonly SuppressionInput[]): Promise<string[]> {
    const added = await this.suppressions.addMany(m, tenant.id, suppressions);
    if (added.length > 0) {
      await this.publish(m, tenant, 'added', added, await this.contacts.setSuppressed(m, tenant.id, added, true));
    }
    return added;
  }

  /**
   * DELETE: the address leaves the list and its contact is no longer suppressed. R-A3: audited with the API key, and
   * the address only as the tenant-keyed hash (gone with the tenant's key at the purge); the entry is appended before
   * the removal commits, so no removal goes unaudited.
   */
  async remove(tenant: Tenant & Pick<TenantContext, 'apiKeyId'>, rawEmail: string): Promise<void> {
    const email = normaliseEmail(rawEmail);
    const addressHash = keyedAddressHash(await this.events.dataKey(tenant), email);
    await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const reason = await this.suppressions.remove(m, tenant.id, email);
      if (reason === null) throw new NotFoundError('Suppression');
      const contacts = await this.contacts.setSuppressed(m, tenant.id, [email], false);
      await this.publish(m, tenant, 'removed', [email], contacts);
      await this.audit.append({
        actor: apiKeyActor(tenant),
        action: 'suppression.removed',
        tenantId: tenant.id,
        details: { addressHash, reason: reasonCode(reason), contactId: contacts.idOf.get(email) ?? null },
      });
    });
  }

  /**
   * One `suppression.changed` per address (the address does not travel: the contact's id, if there is one), and
   * `contact.changed` v2 for each contact whose status changed with it.
   */
  private async publish(
    m: EntityManager,
    tenant: Tenant,
    action: SuppressionChangedV1['action'],
    emails: readonly string[],
    contacts: { idOf: ReadonlyMap<string, string>; changed: ContactRow[] },
  ): Promise<void> {
    await appendToOutbox(
      m,
      emails.map((email) => {
        const data: SuppressionChangedV1 = { action, contactId: contacts.idOf.get(email) ?? null };
        return { type: SUPPRESSION_CHANGED, region: tenant.region, tenantId: tenant.id, data };
      }),
    );
    await this.events.changed(m, tenant, contacts.changed);
  }
}
