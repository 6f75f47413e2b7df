import { Pool, type QueryResultRow } from 'pg';
import { loadConfig } from '@missive/config';
import type { Region } from '@missive/contracts';

const pools = new Map<string, Pool>();

/**
 * Queries as the database owner, for test set-up and for assertions that must see past row-level security
 * ("the row exists only in missive_na"). Application code never connects like this.
 */
export async function adminQuery<T extends QueryResultRow = QueryResultRow>(
  database: Region | 'global' | { url: string },
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const config = loadConfig();
  const url =
    typeof database === 'object'
      ? database.url
      : database === 'global'
        ? config.databases.adminGlobal
        : config.databases.adminRegional[database];
  let pool = pools.get(url);
  if (!pool) {
    pool = new Pool({ connectionString: url, max: 3 });
    pool.on('error', () => undefined); // an idle connection ended by the server (a dropped scratch database)
    pools.set(url, pool);
  }
  const result = await pool.query<T>(sql, params);
  return result.rows;
}

/** Closes the owner pool of one database URL (before dropping that database). */
export async function closeAdminPool(url: string): Promise<void> {
  const pool = pools.get(url);
  pools.delete(url);
  await pool?.end();
}

export async function closeAdminPools(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.end()));
  pools.clear();
}
