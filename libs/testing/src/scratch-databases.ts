import { configWith, loadConfig } from '@missive/config';
import { migrateAll } from '@missive/database';
import { adminQuery, closeAdminPool } from './admin-db';

export interface ScratchDatabases {
  /** Environment overrides pointing every database (global, NA, EEA) at the scratch ones. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Fresh, migrated databases for a test that must not share outboxes with the others (e.g. one that points its
 * relays at a private broker). The regional scratch database serves both regions, unless `regionsApart` gives each
 * region its own (a per-region deployment, R-T2).
 */
export async function createScratchDatabases(
  uid: string,
  options: { regionsApart?: boolean } = {},
): Promise<ScratchDatabases> {
  const base = loadConfig();
  const global = `missive_scratch_${uid}_global`;
  const regional = options.regionsApart
    ? { NA: `missive_scratch_${uid}_na`, EEA: `missive_scratch_${uid}_eea` }
    : { NA: `missive_scratch_${uid}_regional`, EEA: `missive_scratch_${uid}_regional` };
  const names = [...new Set([global, regional.NA, regional.EEA])];
  for (const name of names) await adminQuery('global', `CREATE DATABASE ${name}`);
  const env = {
    DATABASE_URL_GLOBAL: withDatabase(base.databases.global, global),
    DATABASE_ADMIN_URL_GLOBAL: withDatabase(base.databases.adminGlobal, global),
    DATABASE_URL_NA: withDatabase(base.databases.regional.NA, regional.NA),
    DATABASE_ADMIN_URL_NA: withDatabase(base.databases.adminRegional.NA, regional.NA),
    DATABASE_URL_EEA: withDatabase(base.databases.regional.EEA, regional.EEA),
    DATABASE_ADMIN_URL_EEA: withDatabase(base.databases.adminRegional.EEA, regional.EEA),
  };
  await migrateAll(configWith(env));
  return {
    env,
    drop: async () => {
      for (const url of new Set([env.DATABASE_ADMIN_URL_GLOBAL, env.DATABASE_ADMIN_URL_NA, env.DATABASE_ADMIN_URL_EEA]))
        await closeAdminPool(url);
      for (const name of names) await adminQuery('global', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
