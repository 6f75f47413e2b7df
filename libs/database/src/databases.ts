import { DataSource, type EntityManager, type EntitySchema } from 'typeorm';
import type { MissiveConfig } from '@missive/config';
import { REGIONS, type Region } from '@missive/contracts';
import { applicationLoginProblem, type RowQuery } from './app-login';
import { enterTenant } from './tenant-rls';

export type EntityList = (Function | EntitySchema)[];

export interface EntityRegistry {
  global: EntityList;
  regional: EntityList;
}

/** Pool size per database and process; 3 databases × this stays well under PostgreSQL's 100 connections. */
const POOL_SIZE = 10;

/**
 * R-X6: every application connection carries its own statement and idle-in-transaction timeouts, sent at connect
 * time, so they hold however the login was provisioned (a setting on the NOLOGIN group role would not reach its
 * member logins). Migrations connect as the owner through their own data source and are not bound by them.
 */
function dataSource(url: string, entities: EntityList, name: string, config: MissiveConfig): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    synchronize: false,
    migrationsRun: false,
    applicationName: `missive:${name}`,
    extra: {
      max: POOL_SIZE,
      idleTimeoutMillis: 30000,
      connectionTimeoutMillis: 5000,
      statement_timeout: config.timeouts.dbStatementMs,
      idle_in_transaction_session_timeout: config.timeouts.dbIdleInTransactionMs,
    },
  });
}

/**
 * The application's connections: the global directory and one database per region (R-T2). A tenant's rows are
 * reached only through `forRegion(tenant.region)`, and tenant data only inside `withTenant` (R-T1).
 */
export class Databases {
  readonly global: DataSource;
  private readonly regional: Partial<Record<Region, DataSource>> = {};

  /** Only the regions this instance serves (REGIONS) get a connection: an NA deployment never holds EEA credentials. */
  constructor(config: MissiveConfig, entities: EntityRegistry) {
    this.global = dataSource(config.databases.global, entities.global, 'global', config);
    for (const region of REGIONS.filter((r) => config.regions.includes(r))) {
      this.regional[region] = dataSource(
        config.databases.regional[region],
        entities.regional,
        region.toLowerCase(),
        config,
      );
    }
  }

  forRegion(region: Region): DataSource {
    const dataSource = this.regional[region];
    if (!dataSource) throw new Error(`this instance does not serve region ${region} (REGIONS); its data stays there`);
    return dataSource;
  }

  all(): { name: string; dataSource: DataSource }[] {
    return [
      { name: 'global', dataSource: this.global },
      ...REGIONS.filter((r) => this.regional[r]).map((r) => ({ name: r.toLowerCase(), dataSource: this.regional[r]! })),
    ];
  }

  async connect(): Promise<void> {
    await Promise.all(this.all().map(({ dataSource: ds }) => (ds.isInitialized ? undefined : ds.initialize())));
  }

  /**
   * Refuses to run on a login that row-level security would not bind (R-T1): a superuser, BYPASSRLS, or the
   * tables' owner. Throws with the first problem, in one line naming the variable (`DATABASE_URL_NA`).
   */
  async checkLogins(): Promise<void> {
    for (const { name, dataSource } of this.all()) {
      const query: RowQuery = (sql, params) => dataSource.query(sql, params);
      const problem = await applicationLoginProblem(query, `DATABASE_URL_${name.toUpperCase()}`);
      if (problem) throw new Error(problem);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map(({ dataSource: ds }) => (ds.isInitialized ? ds.destroy() : undefined)));
  }

  /**
   * Runs `work` in one transaction of the tenant's regional database with `app.tenant_id` set for that
   * transaction only, so row-level security confines every statement to that tenant (R-T1).
   */
  withTenant<T>(region: Region, tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.forRegion(region).transaction(async (manager) => {
      await enterTenant(manager, tenantId);
      return work(manager);
    });
  }
}
