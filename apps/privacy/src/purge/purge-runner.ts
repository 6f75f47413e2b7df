import { Inject, Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { TENANT_CHANGED, type Region, type TenantChangedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { Clock, LOGGER } from '@missive/platform';
import { AuditLog, isPurgeDue, type AuditAnchor } from '@missive/tenancy';
import { FilePurger } from './file-purger';
import { KeyShredder } from './key-shredder';
import type { PurgeSignal } from './purge-abort';
import { PurgeProgressRepository } from './purge-progress.repository';
import { certificateCounts, purgesTenantOf, storesNotDone } from './purge.rules';
import { QueuePurger } from './queue-purger';
import { RedisPurger } from './redis-purger';
import { TablePurger } from './table-purger';
import { TenantPurgesRepository, type PurgeCandidate } from './tenant-purges.repository';

/** `not-home`: the tenant's home region is not served here (R-P7). */
export type PurgeOutcome = 'purged' | 'already-purged' | 'not-due' | 'not-home' | 'busy';

const ACTOR = 'system:privacy-purge';
/** Two-key advisory lock namespace of purges (the second key is the tenant id's hash). */
const PURGE_LOCK_SPACE = 0x70757267; // 'purg'

/**
 * One tenant's purge (R-P2, R-P3, R-P4), from start mark to certificate. Every step is idempotent and counts
 * what it deletes in the regional database it deletes from, so a purge killed anywhere finishes on the next run
 * and the certificate still equals the rows that existed. Only a worker of the tenant's home region runs it, over
 * that region's stores (R-T2, R-P7). A PostgreSQL advisory lock per tenant and region (session-scoped, so it dies
 * with a killed process) makes one instance run it at a time.
 *
 * Order: queued work first (BullMQ jobs, so nothing processes the tenant while its rows go), then Redis and
 * files, then every regional table, and last the data key (crypto-shredding Kafka, R-P2), so nothing that still
 * runs for the tenant re-creates a key after it was destroyed.
 */
@Injectable()
export class PurgeRunner {
  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly purges: TenantPurgesRepository,
    private readonly progress: PurgeProgressRepository,
    private readonly queues: QueuePurger,
    private readonly redis: RedisPurger,
    private readonly files: FilePurger,
    private readonly tables: TablePurger,
    private readonly keys: KeyShredder,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(tenantId: string, signal: PurgeSignal = { stopped: false }): Promise<PurgeOutcome> {
    const tenant = await this.purges.find(tenantId);
    if (!tenant) return 'not-due';
    // R-P7: another region's worker would find none of the tenant's data and certify zeros.
    if (!purgesTenantOf(this.config.regions, tenant.region)) return 'not-home';
    const runner = this.databases.global.createQueryRunner();
    await runner.connect();
    const lockKey = [PURGE_LOCK_SPACE, `${tenantId}:${tenant.region}`];
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', lockKey)) as {
        locked: boolean;
      }[];
      if (!locked) return 'busy';
      try {
        return await this.purge(tenantId, tenant.region, signal);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', lockKey);
      }
    } finally {
      await runner.release();
    }
  }

  private async purge(tenantId: string, home: Region, signal: PurgeSignal): Promise<PurgeOutcome> {
    // Read again under the lock: another worker may have finished it meanwhile.
    const tenant = await this.purges.find(tenantId);
    if (!tenant) return 'not-due';
    if (tenant.purgedAt) {
      await this.progress.clear(home, tenantId);
      return 'already-purged';
    }
    if (!tenant.purgeStartedAt && !(await this.markStarted(tenantId))) return 'not-due';

    const startedAt = Date.now();
    this.logger.info({ tenantId, region: home }, 'purge: started');
    await this.queues.purge(home, tenantId, signal);
    await this.redis.purge(home, tenantId);
    await this.files.purge(home, tenantId);
    let deleted = 0;
    let lastLog = Date.now();
    await this.tables.purge(home, tenantId, signal, (store, n) => {
      deleted += n;
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        this.logger.info({ tenantId, region: home, store, rowsDeletedSoFar: deleted }, 'purge: deleting');
      }
    });
    await this.keys.purge(home, tenantId);
    const auditHead = await this.complete(tenant);
    this.logger.info({ tenantId, ms: Date.now() - startedAt, auditHead }, 'purge: completed, certificate written');
    return 'purged';
  }

  /** Re-checks due-ness under the tenant row's lock (a reactivation or hold may just have landed), then marks it. */
  private async markStarted(tenantId: string): Promise<boolean> {
    return this.databases.global.transaction(async (m) => {
      await m.query('SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
      const tenant = await this.purges.find(tenantId, m);
      const now = this.clock.now();
      if (!tenant || tenant.purgeStartedAt || !tenant.purgeDueAt || !isPurgeDue(tenant, now)) {
        return Boolean(tenant?.purgeStartedAt);
      }
      await this.purges.start(m, tenantId, tenant.purgeDueAt, now);
      await this.audit.append(
        {
          actor: ACTOR,
          action: 'tenant.purge-started',
          tenantId,
          details: { purgeDueAt: tenant.purgeDueAt.toISOString() },
        },
        m,
      );
      return true;
    });
  }

  /**
   * R-P4, R-P7: the certificate and the `purged` status in one transaction, written only once every store of the
   * home region reported done; it names exactly the stores checked. Then the regional bookkeeping goes.
   */
  private async complete(tenant: PurgeCandidate): Promise<AuditAnchor> {
    const { id: tenantId, region: home } = tenant;
    const rows = await this.progress.rows(home, tenantId);
    const notDone = storesNotDone(rows, home);
    if (notDone.length) throw new Error(`purge of ${tenantId}: stores not done, no certificate: ${notDone.join(', ')}`);
    const deleted = certificateCounts(rows);
    const now = this.clock.now();
    const auditHead = await this.databases.global.transaction(async (m) => {
      // R-A3: the entry just appended stays the chain's head until this commits (the append lock), so the
      // certificate carries the head signed as of its writing.
      const entry = await this.audit.append(
        { actor: ACTOR, action: 'tenant.purged', tenantId, details: { deleted } },
        m,
      );
      const head = this.audit.signHead(entry, now);
      await this.purges.complete(m, tenantId, deleted, now, head);
      const data: TenantChangedV1 = {
        tenantId,
        region: home,
        status: 'purged',
        terminatedAt: tenant.terminatedAt?.toISOString() ?? null,
        purgeDueAt: tenant.purgeDueAt?.toISOString() ?? null,
      };
      await appendToOutbox(m, [{ type: TENANT_CHANGED, region: home, tenantId, data }]);
      return head;
    });
    await this.progress.clear(home, tenantId);
    return auditHead;
  }
}
