import { RLS_EXCEPTIONS } from '@missive/database';
import { adminQuery } from '@missive/testing';

interface TenantTable {
  name: string;
  enabled: boolean;
  forced: boolean;
  /** The expressions of its policies, which must compare tenant_id with the transaction's tenant. */
  policies: string[];
}

/** Every table of the public schema with a `tenant_id` column, as the catalogue says. */
const TENANT_TABLES_SQL = `SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
    COALESCE((SELECT array_agg(pg_get_expr(p.polqual, p.polrelid) || ' / ' || pg_get_expr(p.polwithcheck, p.polrelid))
      FROM pg_policy p WHERE p.polrelid = c.oid), '{}') AS policies
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
  ORDER BY c.relname`;

const EXISTING_TABLES_SQL = `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`;

const DATABASES = [
  { database: 'NA', exceptions: RLS_EXCEPTIONS.regional },
  { database: 'EEA', exceptions: RLS_EXCEPTIONS.regional },
  { database: 'global', exceptions: RLS_EXCEPTIONS.global },
] as const;

describe('R-T1: the catalogue of every database keeps tenant tables under row-level security', () => {
  it.each(DATABASES)(
    'R-T1: every table with tenant_id in $database has RLS enabled and forced, or is allow-listed with a reason',
    async ({ database, exceptions }) => {
      const tables = await adminQuery<TenantTable>(database, TENANT_TABLES_SQL);
      const unprotected = tables.filter((t) => !(t.enabled && t.forced)).map((t) => t.name);
      const notListed = unprotected.filter((name) => !(name in exceptions));
      expect({ database, tablesWithoutRls: notListed }).toEqual({ database, tablesWithoutRls: [] });
      // An allow-listed table that is under RLS after all is a stale entry too: the list says what is true.
      const protectedButListed = tables.filter((t) => t.enabled && t.forced && t.name in exceptions).map((t) => t.name);
      expect({ database, listedButUnderRls: protectedButListed }).toEqual({ database, listedButUnderRls: [] });
      for (const table of tables.filter((t) => t.enabled && t.forced)) {
        expect({ table: table.name, policies: table.policies }).toEqual({
          table: table.name,
          policies: [expect.stringMatching(/tenant_id = .*app\.tenant_id.* \/ .*tenant_id = .*app\.tenant_id/)],
        });
      }
      for (const reason of Object.values(exceptions)) expect(reason.length).toBeGreaterThan(20);
    },
  );

  it.each(DATABASES)('R-T1: every allow-listed table still exists in $database', async ({ database, exceptions }) => {
    const existing = new Set((await adminQuery<{ name: string }>(database, EXISTING_TABLES_SQL)).map((t) => t.name));
    const gone = Object.keys(exceptions).filter((name) => !existing.has(name));
    expect({ database, allowListedButGone: gone }).toEqual({ database, allowListedButGone: [] });
  });

  it('R-T1: the regional catalogue has its tenant tables under RLS (the check is not vacuous)', async () => {
    const tables = await adminQuery<TenantTable>('NA', TENANT_TABLES_SQL);
    const underRls = tables.filter((t) => t.enabled && t.forced).map((t) => t.name);
    expect(underRls).toEqual(expect.arrayContaining(['contacts', 'consents', 'suppressions', 'notices', 'imports']));
  });
});
