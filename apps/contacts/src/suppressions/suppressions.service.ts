import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SUPPRESSION_CHANGED, type SuppressionChangedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { InvalidInputError, NotFoundError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import type { TenantContext } from '@missive/tenancy';
import { ContactEvents, normaliseEmail } from '@missive/contact-domain';
import { ContactsRepository, type ContactRow } from '../contacts/contacts.repository';
import { toSuppressionResponse, type SuppressionPage, type SuppressionResponse } from './dto/suppression.dto';
import { validateSuppressionInput } from './suppression.rules';
import { SuppressionsRepository } from './suppressions.repository';

type Tenant = Pick<TenantContext, 'id' | 'region'>;

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** A tenant's suppression list (R-U5): adding one suppresses the contact with that address at once (R-C7). */
@Injectable()
export class SuppressionsService {
  constructor(
    private readonly databases: Databases,
    private readonly suppressions: SuppressionsRepository,
    private readonly contacts: ContactsRepository,
    private readonly events: ContactEvents,
  ) {}

  async list(tenant: Tenant, limitText?: string, cursor?: string): Promise<SuppressionPage> {
    const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new InvalidInputError('Invalid page', [
        { field: 'limit', reason: `must be a whole number 1 to ${MAX_PAGE}` },
      ]);
    }
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : null;
    const rows = await this.databases.withTenant(tenant.region, tenant.id, (m) =>
      this.suppressions.list(m, tenant.id, limit + 1, after),
    );
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? Buffer.from(page[page.length - 1].email).toString('base64url') : null;
    return { items: page.map(toSuppressionResponse), next };
  }

  async add(tenant: Tenant, body: unknown): Promise<SuppressionResponse> {
    const result = validateSuppressionInput(body);
    if (!result.ok) throw new InvalidInputError('Invalid suppression', result.errors);
    const { email, reason } = result.suppression;
    return this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const { row, added } = await this.suppressions.add(m, tenant.id, email, reason);
      if (added) await this.publish(m, tenant, 'added', await this.contacts.setSuppressed(m, tenant.id, email, true));
      return toSuppressionResponse(row);
    });
  }

  async remove(tenant: Tenant, rawEmail: string): Promise<void> {
    const email = normaliseEmail(rawEmail);
    await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      if (!(await this.suppressions.remove(m, tenant.id, email))) throw new NotFoundError('Suppression');
      await this.publish(m, tenant, 'removed', await this.contacts.setSuppressed(m, tenant.id, email, false));
    });
  }

  /** `suppression.changed`, and `contact.changed` v2 when the contact's status changed with it (R-X5). */
  private async publish(
    m: EntityManager,
    tenant: Tenant,
    action: SuppressionChangedV1['action'],
    contact: { id: string | null; changed: ContactRow | null },
  ) {
    const data: SuppressionChangedV1 = { action, contactId: contact.id };
    await appendToOutbox(m, [{ type: SUPPRESSION_CHANGED, region: tenant.region, tenantId: tenant.id, data }]);
    if (contact.changed) await this.events.changed(m, tenant, [contact.changed]);
  }
}
