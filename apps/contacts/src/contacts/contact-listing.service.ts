import { Injectable } from '@nestjs/common';
import { CONTACT_STATUSES } from '@missive/contact-domain';
import { Databases, decodeKeysetCursor, keysetPage, parsePageLimit } from '@missive/database';
import { InvalidInputError, type ErrorDetail } from '@missive/http';
import type { TenantContext } from '@missive/tenancy';
import { ContactListingRepository } from './contact-listing.repository';
import { toContactResponse, type ContactResponse } from './dto/contact.dto';

/** Every status API.md names (`pending` waits for a double opt-in, R-C8), whether or not a contact has it yet. */
const LISTED_STATUSES: readonly string[] = [...new Set<string>([...CONTACT_STATUSES, 'pending'])];

export interface ContactListingQuery {
  status?: unknown;
  list?: unknown;
  tag?: unknown;
  cursor?: unknown;
  limit?: unknown;
}

/** GET /v1/contacts without `email`: the tenant's contacts, newest first, by status, list and tag, page by page. */
@Injectable()
export class ContactListingService {
  constructor(
    private readonly databases: Databases,
    private readonly listing: ContactListingRepository,
  ) {}

  async list(
    tenant: Pick<TenantContext, 'id' | 'region'>,
    query: ContactListingQuery,
  ): Promise<{ items: ContactResponse[]; nextCursor: string | null }> {
    const details: ErrorDetail[] = [];
    const text: Record<string, string | null> = {};
    for (const [field, value] of Object.entries(query)) {
      if (value !== undefined && typeof value !== 'string') details.push({ field, reason: 'give it once' });
      text[field] = typeof value === 'string' && value !== '' ? value : null;
    }
    const status = text.status ?? null;
    if (status !== null && !LISTED_STATUSES.includes(status))
      details.push({ field: 'status', reason: `must be one of ${LISTED_STATUSES.join(', ')}` });
    const limit = parsePageLimit(text.limit ?? undefined);
    if (limit === null) details.push({ field: 'limit', reason: 'must be a whole number from 1 to 200' });
    const after = text.cursor ? decodeKeysetCursor(text.cursor) : null;
    if (text.cursor && !after) details.push({ field: 'cursor', reason: 'is not a cursor of this listing' });
    for (const field of ['list', 'tag'])
      if ((text[field]?.length ?? 0) > 200 || text[field]?.includes('\u0000'))
        details.push({ field, reason: 'is not a list or tag name' });
    if (details.length) throw new InvalidInputError('Invalid listing', details);
    const rows = await this.databases.withTenant(tenant.region, tenant.id, (m) =>
      this.listing.list(m, tenant.id, {
        status,
        list: text.list ?? null,
        tag: text.tag ?? null,
        after,
        limit: limit! + 1,
      }),
    );
    const page = keysetPage(rows, limit!);
    return { items: page.rows.map(toContactResponse), nextCursor: page.nextCursor };
  }
}
