import { Client } from 'pg';
import type { MissiveConfig } from '@missive/config';
import { APP_ROLE, loginRoleProblem, type RowQuery } from '@missive/database';
import { PrerequisiteError } from './prerequisites';

function databaseName(url: string): string {
  return new URL(url).pathname.replace(/^\//, '');
}

/**
 * Creates the three databases and the local application login if they are missing. The application login is a
 * member of the missive_app group role, owns nothing and does not bypass row-level security (R-T1).
 */
export async function ensureDatabases(config: MissiveConfig): Promise<void> {
  const adminUrl = new URL(config.databases.adminGlobal);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new PrerequisiteError(
      `PostgreSQL is not reachable at ${adminUrl.host} (${(error as Error).message}): start it, or set DATABASE_ADMIN_URL_GLOBAL/NA/EEA`,
    );
  }
  try {
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
      END IF;
    END $$`);
    const logins = {
      DATABASE_URL_GLOBAL: config.databases.global,
      DATABASE_URL_NA: config.databases.regional.NA,
      DATABASE_URL_EEA: config.databases.regional.EEA,
    };
    const query: RowQuery = async (sql, params) => (await admin.query(sql, params)).rows;
    for (const [variable, url] of Object.entries(logins)) {
      const login = decodeURIComponent(new URL(url).username);
      if (!login) continue;
      // R-T1: an existing superuser or BYPASSRLS login (`postgres`) is refused, never made a member of the app role.
      const problem = await loginRoleProblem(query, login, variable);
      if (problem) throw new PrerequisiteError(problem);
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login]);
      if (exists.rowCount === 0) {
        const password = decodeURIComponent(new URL(url).password) || login;
        await admin.query(
          `CREATE ROLE "${login}" LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${password.replace(/'/g, "''")}'`,
        );
      }
      if (login !== APP_ROLE) await admin.query(`GRANT ${APP_ROLE} TO "${login}"`);
      else await admin.query(`ALTER ROLE ${APP_ROLE} LOGIN`);
    }
    const urls = [config.databases.adminGlobal, config.databases.adminRegional.NA, config.databases.adminRegional.EEA];
    for (const name of urls.map(databaseName)) {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await admin.end();
  }
}
