import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@missive/database';

/**
 * Tables that keep a contact id on purpose after an erasure: they hold no personal data and exist to honour it —
 * the privacy requests themselves (the record that the request was answered) and tracking's list of contacts whose
 * hits must store nothing (R-K4), which the `contact.erased` event fills.
 */
const KEPT_AFTER_ERASURE = new Set(['privacy_requests', 'tracking_blocked_contacts']);

const PLAIN_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * R-D1 erasure in the tenant's regional database: every row of every table that holds the contact (a table with
 * `tenant_id` and `contact_id`, found in the catalogue so a table added later is covered without a change here),
 * then the contact row and its address on the suppression list (R-D2 keeps a keyed hash instead when due). Every
 * method takes the tenant id and runs inside `withTenant` (R-T1).
 */
@Injectable()
export class ErasureRepository {
  private tables: Promise<string[]> | null = null;

  /** The regional tables holding contact rows by id; both regions share one schema. */
  private contactTables(m: EntityManager): Promise<string[]> {
    this.tables ??= (
      m.query(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'contact_id'
         INTERSECT
         SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'
         ORDER BY 1`,
      ) as Promise<{ table_name: string }[]>
    ).then((rows) => rows.map((r) => r.table_name).filter((t) => PLAIN_NAME.test(t) && !KEPT_AFTER_ERASURE.has(t)));
    this.tables.catch(() => (this.tables = null));
    return this.tables;
  }

  /** Whether the address itself is on the tenant's suppression list. */
  async onSuppressionList(m: EntityManager, tenantId: string, email: string): Promise<boolean> {
    const rows = await queryRows(m, `SELECT 1 FROM suppressions WHERE tenant_id = $1 AND email = $2`, [
      tenantId,
      email,
    ]);
    return rows.length > 0;
  }

  /** Opt-outs of everything (unsubscribe, objection) recorded for the contact. */
  async fullOptOuts(m: EntityManager, tenantId: string, contactId: string): Promise<number> {
    const [{ n }] = await queryRows<{ n: number }>(
      m,
      `SELECT count(*)::int AS n FROM unsubscribe_opt_outs WHERE tenant_id = $1 AND contact_id = $2 AND lists IS NULL`,
      [tenantId, contactId],
    );
    return n;
  }

  /** Deletes the contact and every row linked to it; returns the rows deleted per table (no personal data). */
  async eraseContact(m: EntityManager, tenantId: string, contactId: string): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const table of await this.contactTables(m)) {
      const rows = await queryRows(m, `DELETE FROM ${table} WHERE tenant_id = $1 AND contact_id = $2 RETURNING 1`, [
        tenantId,
        contactId,
      ]);
      if (rows.length > 0) deleted[table] = rows.length;
    }
    const contacts = await queryRows(m, `DELETE FROM contacts WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
      tenantId,
      contactId,
    ]);
    deleted.contacts = contacts.length;
    return deleted;
  }

  /**
   * Removes the address from the suppression list; with `keptHash` (R-D2: the person had opted out) a row holding
   * only the keyed hash takes its place, so a re-import lands suppressed. Returns whether an address row went.
   */
  async replaceSuppression(
    m: EntityManager,
    tenantId: string,
    email: string,
    keptHash: string | null,
  ): Promise<boolean> {
    const removed = await queryRows(m, `DELETE FROM suppressions WHERE tenant_id = $1 AND email = $2 RETURNING 1`, [
      tenantId,
      email,
    ]);
    if (keptHash) {
      await m.query(
        `INSERT INTO suppressions (tenant_id, email, address_hash, reason) VALUES ($1, NULL, $2, 'erased-opt-out')
         ON CONFLICT DO NOTHING`,
        [tenantId, keptHash],
      );
    }
    return removed.length > 0;
  }

  /**
   * The answers of earlier access and portability requests about the person (R-D1: they copy everything held on
   * them) are emptied; the requests themselves stay as the record that they were answered.
   */
  async forgetAccessResults(
    m: EntityManager,
    tenantId: string,
    subject: { contactId: string | null; addressHash: string },
  ): Promise<void> {
    await m.query(
      `UPDATE privacy_requests SET result = NULL
       WHERE tenant_id = $1 AND (contact_id = $2 OR address_hash = $3)
         AND type IN ('access', 'portability') AND result IS NOT NULL`,
      [tenantId, subject.contactId, subject.addressHash],
    );
  }
}
