import { DataSource } from 'typeorm';
import type { MissiveConfig } from '@missive/config';
import { REGIONS } from '@missive/contracts';
import { GLOBAL_MIGRATIONS, REGIONAL_MIGRATIONS } from './migrations';

export interface MigrationReport {
  database: string;
  applied: string[];
}

async function migrate(url: string, migrations: Function[], database: string): Promise<MigrationReport> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'migrations',
    applicationName: 'missive:migrate',
  });
  await ds.initialize();
  try {
    // An advisory lock so that replicas starting together do not race over the same migration.
    await ds.query('SELECT pg_advisory_lock(727001)');
    const applied = await ds.runMigrations({ transaction: 'each' });
    await ds.query('SELECT pg_advisory_unlock(727001)');
    return { database, applied: applied.map((m) => m.name) };
  } finally {
    await ds.destroy();
  }
}

/** Applies the committed migrations to the global and both regional databases, as their owner. */
export async function migrateAll(config: MissiveConfig): Promise<MigrationReport[]> {
  const reports = [await migrate(config.databases.adminGlobal, GLOBAL_MIGRATIONS, 'global')];
  for (const region of REGIONS) {
    reports.push(await migrate(config.databases.adminRegional[region], REGIONAL_MIGRATIONS, region.toLowerCase()));
  }
  return reports;
}
