import type { EntityManager } from 'typeorm';

/**
 * Runs a statement and returns its rows whatever the command. TypeORM's PostgreSQL driver answers UPDATE and
 * DELETE with `[rows, affectedCount]` but SELECT and INSERT with the rows alone; `… RETURNING` queries need one
 * shape. (A row is never an array, so the two shapes cannot be confused.)
 */
export async function queryRows<T>(m: Pick<EntityManager, 'query'>, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await m.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
