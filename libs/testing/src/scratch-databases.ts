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
 * relays at a private broker). The regional scratch database serves both regions.
 */
export async function createScratchDatabases(uid: string): Promise<ScratchDatabases> {
  const base = loadConfig();
  const names = { global: `missive_scratch_${uid}_global`, regional: `missive_scratch_${uid}_regional` };
  for (const name of Object.values(names)) await adminQuery('global', `CREATE DATABASE ${name}`);
  const env = {
    DATABASE_URL_GLOBAL: withDatabase(base.databases.global, names.global),
    DATABASE_ADMIN_URL_GLOBAL: withDatabase(base.databases.adminGlobal, names.global),
    DATABASE_URL_NA: withDatabase(base.databases.regional.NA, names.regional),
    DATABASE_ADMIN_URL_NA: withDatabase(base.databases.adminRegional.NA, names.regional),
    DATABASE_URL_EEA: withDatabase(base.databases.regional.EEA, names.regional),
    DATABASE_ADMIN_URL_EEA: withDatabase(base.databases.adminRegional.EEA, names.regional),
  };
  await migrateAll(configWith(env));
  return {
    env,
    drop: async () => {
      await closeAdminPool(env.DATABASE_ADMIN_URL_GLOBAL);
      await closeAdminPool(env.DATABASE_ADMIN_URL_NA);
      for (const name of Object.values(names))
        await adminQuery('global', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
