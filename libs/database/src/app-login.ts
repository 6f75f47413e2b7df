import { APP_ROLE } from './app-role';

/** Runs one statement and gives its rows: a TypeORM DataSource's `query`, or a pg Client's `query(...).rows`. */
export type RowQuery = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

interface RoleFacts {
  superuser: boolean;
  bypassrls: boolean;
  /** Other roles the login is a member of that are superusers or bypass RLS (it can SET ROLE to them). */
  privileged: string[] | null;
}

const ROLE_FACTS_SQL = `SELECT r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
    (SELECT array_agg(p.rolname::text ORDER BY p.rolname) FROM pg_roles p
      WHERE p.oid <> r.oid AND (p.rolsuper OR p.rolbypassrls) AND pg_has_role(r.oid, p.oid, 'MEMBER')) AS privileged
  FROM pg_roles r WHERE r.rolname = $1`;

/** The tables of this database the login owns, itself or through a role it belongs to. */
const OWNED_TABLES_SQL = `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_has_role($1::name, c.relowner, 'MEMBER')
  ORDER BY c.relname`;

function listed(names: string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * Why `login` must not be an application login (R-T1), in one line, or null: a superuser or a role with BYPASSRLS
 * is not bound by row-level security, nor is a member of one (it can SET ROLE). `variable` names the setting
 * that carries the login, e.g. `DATABASE_URL_NA`.
 */
export async function loginRoleProblem(query: RowQuery, login: string, variable: string): Promise<string | null> {
  const [facts] = await query<RoleFacts>(ROLE_FACTS_SQL, [login]);
  if (!facts) return null;
  const who = `${variable} logs in as "${login}"`;
  const fix = `use a login that is only a member of ${APP_ROLE} (R-T1)`;
  if (facts.superuser) return `${who}, a superuser, which row-level security does not bind: ${fix}`;
  if (facts.bypassrls) return `${who}, which has BYPASSRLS and so is not bound by row-level security: ${fix}`;
  if (facts.privileged?.length)
    return `${who}, a member of "${facts.privileged[0]}", which bypasses row-level security: ${fix}`;
  return null;
}

/**
 * The start-up check of one application connection (R-T1): its login must not be a superuser, bypass RLS, or own
 * the tables (an owner can turn row-level security off and is not limited by the grants). Null when it is fit.
 */
export async function applicationLoginProblem(query: RowQuery, variable: string): Promise<string | null> {
  const [{ login }] = await query<{ login: string }>('SELECT current_user::text AS login');
  const role = await loginRoleProblem(query, login, variable);
  if (role) return role;
  const owned = (await query<{ name: string }>(OWNED_TABLES_SQL, [login])).map((row) => row.name);
  if (owned.length === 0) return null;
  return (
    `${variable} logs in as "${login}", which owns ${listed(owned)}: an owner can turn row-level security off; ` +
    `let another role own the tables and use a login that is only a member of ${APP_ROLE} (R-T1)`
  );
}
