import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Region } from '@missive/contracts';
import { Databases, queryRows } from '@missive/database';
import type { ProgressRow } from './purge.rules';

/**
 * `purge_progress` in each regional database (R-P3): what the purge deleted per store. Table rows are counted in
 * the transaction that deletes them; stores without transactions record a `planned` count before deleting, so a
 * purge killed mid-way counts nothing twice and nothing not at all.
 */
@Injectable()
export class PurgeProgressRepository {
  constructor(private readonly databases: Databases) {}

  /** Adds a deleted batch, inside the deleting transaction. */
  async add(m: EntityManager, tenantId: string, store: string, deleted: number): Promise<void> {
    await m.query(
      `INSERT INTO purge_progress (tenant_id, store, deleted) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, store) DO UPDATE SET deleted = purge_progress.deleted + EXCLUDED.deleted`,
      [tenantId, store, deleted],
    );
  }

  /** Records the count about to be deleted, unless an earlier (interrupted) run already did; returns the recorded one. */
  async plan(region: Region, tenantId: string, store: string, planned: number): Promise<number> {
    const rows = await queryRows<{ planned: string }>(
      this.databases.forRegion(region),
      `INSERT INTO purge_progress (tenant_id, store, planned) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, store) DO UPDATE SET planned = coalesce(purge_progress.planned, EXCLUDED.planned)
       RETURNING planned`,
      [tenantId, store, planned],
    );
    return Number(rows[0].planned);
  }

  async finish(region: Region, tenantId: string, store: string): Promise<void> {
    await this.databases.forRegion(region).query(
      `INSERT INTO purge_progress (tenant_id, store, done) VALUES ($1, $2, true)
         ON CONFLICT (tenant_id, store) DO UPDATE SET done = true, deleted = coalesce(purge_progress.planned, purge_progress.deleted)`,
      [tenantId, store],
    );
  }

  async isDone(region: Region, tenantId: string, store: string): Promise<boolean> {
    const rows = await queryRows<{ done: boolean }>(
      this.databases.forRegion(region),
      'SELECT done FROM purge_progress WHERE tenant_id = $1 AND store = $2',
      [tenantId, store],
    );
    return rows[0]?.done ?? false;
  }

  async rows(region: Region, tenantId: string): Promise<ProgressRow[]> {
    const rows = await queryRows<{ store: string; deleted: string; done: boolean }>(
      this.databases.forRegion(region),
      'SELECT store, deleted, done FROM purge_progress WHERE tenant_id = $1',
      [tenantId],
    );
    return rows.map((r) => ({ store: r.store, deleted: Number(r.deleted), done: r.done }));
  }

  /** Once the certificate is written, the bookkeeping goes too: not even the tenant's id stays in the region. */
  async clear(region: Region, tenantId: string): Promise<void> {
    await this.databases.forRegion(region).query('DELETE FROM purge_progress WHERE tenant_id = $1', [tenantId]);
  }
}
