import type { Admin } from 'kafkajs';
import type { Platform } from './platform';
import type { Dependency } from './readiness.rules';

export type { Dependency } from './readiness.rules';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

/**
 * Readiness of the three dependencies (R-X3): each database answers `SELECT 1`, each Redis answers PING, each
 * Kafka cluster answers a metadata request. Admin clients are kept between probes and rebuilt after a failure.
 */
export class ReadinessProbe {
  private readonly admins = new Map<unknown, Admin>();

  constructor(private readonly platform: Platform) {}

  check(dependency: Dependency): Promise<{ up: boolean; message?: string }> {
    return this[dependency]();
  }

  private async postgres() {
    try {
      await Promise.all(
        this.platform.databases
          .all()
          .map(({ name, dataSource }) => withTimeout(dataSource.query('SELECT 1'), `PostgreSQL (${name})`)),
      );
      return { up: true };
    } catch (error) {
      return { up: false, message: (error as Error).message };
    }
  }

  private async redis() {
    try {
      await Promise.all(this.platform.redis.distinct().map((r) => withTimeout(r.ping(), 'Redis')));
      return { up: true };
    } catch (error) {
      return { up: false, message: (error as Error).message };
    }
  }

  private async kafka() {
    try {
      await Promise.all(
        this.platform.kafka.distinct().map(async ({ kafka }) => {
          let admin = this.admins.get(kafka);
          if (!admin) {
            const created = kafka.admin({ retry: { retries: 0 } });
            await withTimeout(created.connect(), 'Kafka');
            this.admins.set(kafka, created);
            admin = created;
          }
          try {
            await withTimeout(admin.describeCluster(), 'Kafka');
          } catch (error) {
            this.admins.delete(kafka);
            await admin.disconnect().catch(() => undefined);
            throw error;
          }
        }),
      );
      return { up: true };
    } catch (error) {
      return { up: false, message: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.admins.values()].map((a) => a.disconnect().catch(() => undefined)));
    this.admins.clear();
  }
}
