import { Injectable } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { Databases, queryRows } from '@missive/database';
import { MissiveConfig } from '@missive/config';
import { throwIfStopped, type PurgeSignal } from './purge-abort';
import { PurgeProgressRepository } from './purge-progress.repository';
import { storeName, TABLES_NOT_PURGED_AS_ROWS } from './purge.rules';

interface TenantTable {
  name: string;
  /** An index leads with tenant_id: deleting in batches finds each batch without scanning the table. */
  indexed: boolean;
}

/**
 * Every table of a regional database that has a `tenant_id` column, discovered from the catalog rather than
 * listed, so a table added later is purged without anyone remembering to add it (R-P2). Indexed tables are deleted
 * in batches, each batch and its count in one transaction (progress shows, a kill loses nothing, R-P3); a table
 * without a tenant index is deleted in one statement, one scan.
 */
@Injectable()
export class TablePurger {
  constructor(
    private readonly databases: Databases,
    private readonly progress: PurgeProgressRepository,
    private readonly config: MissiveConfig,
  ) {}

  async purge(region: Region, tenantId: string, signal: PurgeSignal, onBatch: (store: string, n: number) => void) {
    for (const table of await this.tables(region)) {
      const store = storeName('postgres', region, table.name);
      if (await this.progress.isDone(region, tenantId, store)) continue;
      const quoted = `"${table.name.replace(/"/g, '""')}"`;
      const batch = this.config.purge.batchSize;
      for (;;) {
        throwIfStopped(signal);
        const deleted = await this.databases.withTenant(region, tenantId, async (m) => {
          // One statement scans a whole table without a tenant index: a background job, not bound by the
          // statement timeout that protects requests (R-X6); a batch of an indexed table stays well under it.
          if (!table.indexed) await m.query('SET LOCAL statement_timeout = 0');
          const rows = await queryRows<{ n: number }>(
            m,
            table.indexed
              ? `WITH gone AS (DELETE FROM ${quoted} WHERE ctid = ANY(ARRAY(
                   SELECT ctid FROM ${quoted} WHERE tenant_id = $1 LIMIT ${batch})) RETURNING 1)
                 SELECT count(*)::int AS n FROM gone`
              : `WITH gone AS (DELETE FROM ${quoted} WHERE tenant_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
            [tenantId],
          );
          await this.progress.add(m, tenantId, store, rows[0].n);
          return rows[0].n;
        });
        if (deleted > 0) onBatch(store, deleted);
        if (!table.indexed || deleted < batch) break;
      }
      await this.progress.finish(region, tenantId, store);
    }
  }

  /**
   * R-P6: deletes whatever rows of an already purged tenant came back, table by table, in one statement each (a
   * re-check finds nothing or a few rows); returns the count per store where it found any. No progress rows: the
   * counts go on the certificate's record.
   */
  async removeLeftovers(region: Region, tenantId: string): Promise<Record<string, number>> {
    const found: Record<string, number> = {};
    for (const table of await this.tables(region)) {
      const quoted = `"${table.name.replace(/"/g, '""')}"`;
      const n = await this.databases.withTenant(region, tenantId, async (m) => {
        if (!table.indexed) await m.query('SET LOCAL statement_timeout = 0');
        const rows = await queryRows<{ n: number }>(
          m,
          `WITH gone AS (DELETE FROM ${quoted} WHERE tenant_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
          [tenantId],
        );
        return rows[0].n;
      });
      if (n > 0) found[storeName('postgres', region, table.name)] = n;
    }
    return found;
  }

  private async tables(region: Region): Promise<TenantTable[]> {
    const rows = await queryRows<{ name: string; indexed: boolean }>(
      this.databases.forRegion(region),
      `SELECT c.relname AS name,
              EXISTS (SELECT 1 FROM pg_index i
                        JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                       WHERE i.indrelid = c.oid AND ia.attname = 'tenant_id') AS indexed
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND EXISTS (SELECT 1 FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
        ORDER BY c.relname`,
    );
    return rows.filter((r) => !TABLES_NOT_PURGED_AS_ROWS.has(r.name));
  }
}
