import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '../sql-result';
import {
  CONSENT_WITHDRAWN_SQL,
  CONTACT_COLUMNS,
  contactColumnPlaceholders,
  contactColumnValues,
  type ConsentRecord,
  type ContactData,
  type ContactStateRow,
  type ContactStatus,
  type LawfulBasis,
  listsKeptOnSql,
  onSuppressionListSql,
} from '@missive/contact-domain';

/** A contacts row as the API shows it (and as `contact.changed` v2 carries it). */
export interface ContactRow extends ContactStateRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  locale: string | null;
  region: 'NA' | 'EEA';
  lawful_basis: LawfulBasis;
  consent: ConsentRecord | null;
  tracking_consent: boolean;
  birth_date: string | null;
  status: ContactStatus;
  attributes: Record<string, string | number | boolean | null>;
  lists: string[];
  tags: string[];
  /** The lists the person left (R-U4): no write but a resubscribe puts them back on one. */
  lists_left: string[];
  created_at: Date;
  updated_at: Date;
  consent_withdrawn: boolean;
}

export const SELECT_COLUMNS = `c.id, c.email, c.first_name, c.last_name, c.phone, c.locale, c.region, c.lawful_basis, c.consent,
  c.tracking_consent, c.birth_date::text AS birth_date, c.status, c.attributes, c.lists, c.tags, c.lists_left,
  c.created_at, c.updated_at, ${CONSENT_WITHDRAWN_SQL}`;

const DATA_COLUMNS = CONTACT_COLUMNS.filter((c) => c !== 'email');

/** What an upsert writes into a data column: the lists the person left stay off (R-U4). */
const upsertValue = (column: string) =>
  column === 'lists' ? listsKeptOnSql('EXCLUDED.lists', 'c.lists_left') : `EXCLUDED.${column}`;

/**
 * The one upsert by email (R-C1) for the API and the import. A row identical to the stored one is not touched at
 * all (the WHERE), so a second import of the same file changes nothing (R-C6) and `xmax = 0` in RETURNING
 * tells inserts from updates. An address on the suppression list lands as suppressed (R-C7); an upsert never
 * turns an unsubscribed, bounced or restricted contact back into an active one, never puts the person back on a
 * list they left (R-U4), and never changes a restricted contact at all (R-D1: kept, never processed).
 */
export const CONTACT_UPSERT_CONFLICT = `ON CONFLICT (tenant_id, email) DO UPDATE SET
  ${DATA_COLUMNS.map((c) => `${c} = ${upsertValue(c)}`).join(', ')},
  status = CASE WHEN EXCLUDED.status = 'suppressed' AND c.status = 'active' THEN 'suppressed' ELSE c.status END,
  updated_at = now()
  WHERE c.status <> 'restricted' AND (
    (${DATA_COLUMNS.map((c) => `c.${c}`).join(', ')}) IS DISTINCT FROM (${DATA_COLUMNS.map(upsertValue).join(', ')})
     OR (EXCLUDED.status = 'suppressed' AND c.status = 'active'))`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Queries on contacts; every method takes the tenant id and runs inside `withTenant` (RLS confines it too). */
@Injectable()
export class ContactsRepository {
  /**
   * Upserts one contact; `inserted` is null when the stored row was already identical. `addressHash` is the
   * address's keyed hash: a hash-only suppression (an erased person who had opted out, R-D2) suppresses it too.
   */
  async upsert(
    m: EntityManager,
    tenantId: string,
    contact: ContactData,
    addressHash: string,
    options: { doubleOptIn?: boolean } = {},
  ): Promise<{ row: ContactRow; inserted: boolean | null }> {
    // R-C8: a new contact with double opt-in waits `pending`; the conflict clause keeps an existing one's status.
    const rows: (ContactRow & { inserted: boolean })[] = await m.query(
      `INSERT INTO contacts AS c (tenant_id, ${CONTACT_COLUMNS.join(', ')}, status)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::date, $12::jsonb, $13::text[], $14::text[],
         CASE WHEN ${onSuppressionListSql('$1', '$2', '$15')} THEN 'suppressed' ELSE $16::text END
       ${CONTACT_UPSERT_CONFLICT}
       RETURNING ${SELECT_COLUMNS}, (c.xmax = 0) AS inserted`,
      [tenantId, ...contactColumnValues(contact), addressHash, options.doubleOptIn ? 'pending' : 'active'],
    );
    if (rows.length > 0) {
      const { inserted, ...row } = rows[0];
      return { row, inserted };
    }
    const existing = await this.findByEmail(m, tenantId, contact.email);
    if (!existing) throw new Error('upsert returned nothing and found nothing');
    return { row: existing, inserted: null };
  }

  async findById(m: EntityManager, tenantId: string, id: string, lock = false): Promise<ContactRow | null> {
    if (!UUID.test(id)) return null;
    const rows: ContactRow[] = await m.query(
      `SELECT ${SELECT_COLUMNS} FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  async findByEmail(m: EntityManager, tenantId: string, email: string): Promise<ContactRow | null> {
    const rows: ContactRow[] = await m.query(
      `SELECT ${SELECT_COLUMNS} FROM contacts c WHERE c.tenant_id = $1 AND c.email = $2`,
      [tenantId, email],
    );
    return rows[0] ?? null;
  }

  /**
   * Rewrites a contact's fields; null when nothing differed. An active contact whose address is on the suppression
   * list — as the address, or as the keyed hash `addressHash` an erased opted-out person left (R-D2) — is suppressed.
   * The lists the person left stay off (R-U4).
   */
  async update(
    m: EntityManager,
    tenantId: string,
    id: string,
    contact: ContactData,
    addressHash: string,
  ): Promise<ContactRow | null> {
    const values = contactColumnPlaceholders(3)
      .split(', ')
      .map((value, i) => (CONTACT_COLUMNS[i] === 'lists' ? listsKeptOnSql(value, 'c.lists_left') : value))
      .join(', ');
    const result: unknown = await m.query(
      `UPDATE contacts c SET (${CONTACT_COLUMNS.join(', ')}) = (${values}),
         status = CASE WHEN c.status = 'active' AND ${onSuppressionListSql('$1', '$3', '$16')}
           THEN 'suppressed' ELSE c.status END,
         updated_at = now()
       WHERE c.tenant_id = $1 AND c.id = $2
         AND (${CONTACT_COLUMNS.map((col) => `c.${col}`).join(', ')}) IS DISTINCT FROM (${values})
       RETURNING ${SELECT_COLUMNS}`,
      [tenantId, id, ...contactColumnValues(contact), addressHash],
    );
    return returnedRows<ContactRow>(result)[0] ?? null;
  }

  /**
   * Marks the active contacts with these addresses suppressed (R-U5, R-C7) or, on removal, active again: one
   * statement for any number of addresses (a CSV import of suppressions and a single add alike). Returns the
   * contact id of each address that has a contact, and the rows whose status changed (for `contact.changed`).
   */
  async setSuppressed(
    m: EntityManager,
    tenantId: string,
    emails: readonly string[],
    suppressed: boolean,
  ): Promise<{ idOf: Map<string, string>; changed: ContactRow[] }> {
    const [from, to] = suppressed ? ['active', 'suppressed'] : ['suppressed', 'active'];
    const result: unknown = await m.query(
      `UPDATE contacts c SET status = $4, updated_at = now()
       WHERE c.tenant_id = $1 AND c.email = ANY($2::text[]) AND c.status = $3
       RETURNING ${SELECT_COLUMNS}`,
      [tenantId, emails, from, to],
    );
    const changed = returnedRows<ContactRow>(result);
    const idOf = new Map(changed.map((row) => [row.email, row.id]));
    if (idOf.size < emails.length) {
      const others: { id: string; email: string }[] = await m.query(
        `SELECT id, email FROM contacts WHERE tenant_id = $1 AND email = ANY($2::text[])`,
        [tenantId, emails],
      );
      for (const row of others) idOf.set(row.email, row.id);
    }
    return { idOf, changed };
  }

  /**
   * R-U4, R-S8: a resubscribe's new state with its new consent record (the history trigger records the grant, R-C2);
   * the consent is now the lawful basis, and the soft bounces counted before it are forgotten. Returns the row.
   */
  async resubscribe(
    m: EntityManager,
    tenantId: string,
    id: string,
    change: { status: ContactStatus; lists: string[]; listsLeft: string[]; consent: ConsentRecord },
  ): Promise<ContactRow> {
    const result: unknown = await m.query(
      `UPDATE contacts c SET status = $3, lists = $4::text[], lists_left = $5::text[], consent = $6::jsonb,
         lawful_basis = 'consent', soft_bounces = '{}', updated_at = now()
       WHERE c.tenant_id = $1 AND c.id = $2
       RETURNING ${SELECT_COLUMNS}`,
      [tenantId, id, change.status, change.lists, change.listsLeft, JSON.stringify(change.consent)],
    );
    return returnedRows<ContactRow>(result)[0];
  }

  /**
   * R-C8: the person confirmed a double opt-in. A pending contact becomes active (suppressed if its address joined
   * the suppression list meanwhile, R-C7) and its consent history gets the confirmation: when, the truncated IP and the
   * user agent. Any other contact (confirmed already, erased, never pending) is left as it is: null.
   */
  async confirmOptIn(
    m: EntityManager,
    tenantId: string,
    id: string,
    confirmation: { confirmedAt: string; ipTruncated: string | null; userAgent: string | null },
  ): Promise<ContactRow | null> {
    if (!UUID.test(id)) return null;
    const result: unknown = await m.query(
      `UPDATE contacts c SET updated_at = now(), status = CASE WHEN EXISTS
         (SELECT 1 FROM suppressions s WHERE s.tenant_id = c.tenant_id AND s.email = c.email) THEN 'suppressed' ELSE 'active' END
       WHERE c.tenant_id = $1 AND c.id = $2 AND c.status = 'pending'
       RETURNING ${SELECT_COLUMNS}`,
      [tenantId, id],
    );
    const row = returnedRows<ContactRow>(result)[0] ?? null;
    if (row)
      await m.query(
        `INSERT INTO consents (tenant_id, contact_id, kind, given_at, source, ip, user_agent, explicit)
         VALUES ($1, $2, 'confirmation', $3::timestamptz, 'double-opt-in', $4, $5, false)`,
        [tenantId, id, confirmation.confirmedAt, confirmation.ipTruncated, confirmation.userAgent],
      );
    return row;
  }

  /** R-C8: the tenant's pending contacts created before `cutoff`, oldest first, at most `limit`. */
  async unconfirmedBefore(
    m: EntityManager,
    tenantId: string,
    cutoff: Date,
    limit: number,
  ): Promise<{ id: string; email: string; status: ContactStatus }[]> {
    return m.query(
      `SELECT id, email, status FROM contacts WHERE tenant_id = $1 AND status = 'pending' AND created_at < $2
       ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [tenantId, cutoff, limit],
    );
  }

  /** R-C8: the tenant's days before an unconfirmed contact is erased, or null when it set none. */
  async unconfirmedDaysSetting(m: EntityManager, tenantId: string): Promise<number | null> {
    const rows: { unconfirmed_days: number }[] = await m.query(
      `SELECT unconfirmed_days FROM tenant_opt_in_settings WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0]?.unconfirmed_days ?? null;
  }

  /**
   * R-U2, R-U4: applies an unsubscribe. Everything (`lists` null): an active or suppressed contact becomes
   * unsubscribed (bounced and restricted stay as they are). Some lists: those lists are left and remembered as left,
   * so no later write puts the person back on them. Returns the row when it changed, null when nothing did (unknown
   * contact, already applied).
   */
  async applyUnsubscribe(
    m: EntityManager,
    tenantId: string,
    id: string,
    lists: string[] | null,
  ): Promise<ContactRow | null> {
    if (!UUID.test(id)) return null;
    const result: unknown =
      lists === null
        ? await m.query(
            `UPDATE contacts c SET status = 'unsubscribed', updated_at = now()
             WHERE c.tenant_id = $1 AND c.id = $2 AND c.status IN ('active', 'suppressed')
             RETURNING ${SELECT_COLUMNS}`,
            [tenantId, id],
          )
        : await m.query(
            `UPDATE contacts c SET updated_at = now(),
               lists = ARRAY(SELECT l FROM unnest(c.lists) WITH ORDINALITY AS t(l, i) WHERE l <> ALL($3::text[]) ORDER BY i),
               lists_left = c.lists_left || ARRAY(SELECT DISTINCT l FROM unnest($3::text[]) AS t(l) WHERE l <> ALL(c.lists_left))
             WHERE c.tenant_id = $1 AND c.id = $2 AND (c.lists && $3::text[] OR NOT c.lists_left @> $3::text[])
             RETURNING ${SELECT_COLUMNS}`,
            [tenantId, id, lists],
          );
    return returnedRows<ContactRow>(result)[0] ?? null;
  }
}
