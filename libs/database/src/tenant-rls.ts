import { APP_ROLE } from './app-role';

/**
 * The tenant of the current transaction. NULLIF because a pooled session that once ran `withTenant` keeps the
 * setting as '' (not NULL) after that transaction, and `''::uuid` would fail instead of matching nothing.
 */
export const TENANT_SETTING_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;

/** Anything that runs a parameterised statement: a TypeORM EntityManager or QueryRunner, a pg Client. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Confines the current transaction to one tenant (R-T1): the one place `app.tenant_id` is set, for requests
 * (`Databases.withTenant`), jobs and the consumers that move from one tenant's events to the next inside a batch's
 * transaction. `work_mem` rides in the same statement when a caller needs it (imports), so it costs no round trip.
 */
export async function enterTenant(runner: SqlRunner, tenantId: string, options: { workMem?: string } = {}) {
  if (options.workMem === undefined) {
    await runner.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
  } else {
    await runner.query(`SELECT set_config('app.tenant_id', $1, true), set_config('work_mem', $2, true)`, [
      tenantId,
      options.workMem,
    ]);
  }
}

/**
 * The statements that put a regional tenant table under row-level security (R-T1): every row carries
 * `tenant_id`, and the application role sees and writes only the rows of the tenant set for the transaction by
 * `Databases.withTenant` (`app.tenant_id`). FORCE applies the policy to the table owner too; with no tenant set
 * no row matches. Use it in a regional migration after CREATE TABLE:
 * `for (const sql of tenantRlsSql('contacts')) await q.query(sql);`
 */
export function tenantRlsSql(table: string): string[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a plain table name: ${table}`);
  const current = TENANT_SETTING_SQL;
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = ${current}) WITH CHECK (tenant_id = ${current})`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE}`,
  ];
}
