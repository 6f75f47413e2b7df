import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { keysetAtSql, type KeysetPosition } from '@missive/database';
import { SELECT_COLUMNS, type ContactRow } from './contacts.repository';

export interface ContactListingFilter {
  status: string | null;
  list: string | null;
  tag: string | null;
  after: KeysetPosition | null;
  limit: number;
}

/** The contacts listing's query: newest first, keyset on (created_at, id), inside `withTenant` (RLS). */
@Injectable()
export class ContactListingRepository {
  async list(
    m: EntityManager,
    tenantId: string,
    f: ContactListingFilter,
  ): Promise<(ContactRow & { keyset_at: string })[]> {
    return m.query(
      `SELECT ${SELECT_COLUMNS}, ${keysetAtSql('c.created_at')} AS keyset_at FROM contacts c
       WHERE c.tenant_id = $1 AND ($2::text IS NULL OR c.status = $2)
         AND ($3::text IS NULL OR c.lists @> ARRAY[$3::text]) AND ($4::text IS NULL OR c.tags @> ARRAY[$4::text])
         AND ($5::timestamptz IS NULL OR (c.created_at, c.id) < ($5::timestamptz, $6::uuid))
       ORDER BY c.created_at DESC, c.id DESC LIMIT $7`,
      [tenantId, f.status, f.list, f.tag, f.after?.at ?? null, f.after?.id ?? null, f.limit],
    );
  }
}
