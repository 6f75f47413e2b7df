import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Logger } from '@missive/observability';
import { Clock, LOGGER } from '@missive/platform';
import { PurgeStopped } from './purge-abort';
import { nextWakeInMs } from './purge.rules';
import { PurgeRecheck } from './purge-recheck';
import { PurgeRunner } from './purge-runner';
import { TenantPurgesRepository } from './tenant-purges.repository';

/**
 * When purges run (R-P2, R-P3): a timer set for the earliest `purgeDueAt` ahead (never before it), and a sweep at
 * least every `PURGE_SWEEP_INTERVAL_MS` that catches whatever a timer missed — a restart, a clock jump, a purge
 * killed mid-way (those are resumed first, as they are due). `tenant.changed` wakes it at once, so a new
 * termination or a released hold is planned without waiting for the next sweep. Every instance sweeps for tenants
 * whose home region it serves (R-P7); the runner's advisory lock lets one of them purge a given tenant.
 */
@Injectable()
export class PurgeScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private again = false;
  private readonly signal = { stopped: false };

  constructor(
    private readonly config: MissiveConfig,
    private readonly purges: TenantPurgesRepository,
    private readonly runner: PurgeRunner,
    private readonly recheck: PurgeRecheck,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.wakeIn(0);
  }

  /** Sweep now (a tenant's lifecycle changed). */
  wake(): void {
    if (this.sweeping) this.again = true;
    else this.wakeIn(0);
  }

  /** Waits for the sweep in progress, if any; tests use it to know a sweep has run. */
  async idle(): Promise<void> {
    while (this.sweeping) await this.sweeping;
  }

  async onModuleDestroy(): Promise<void> {
    this.signal.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  private wakeIn(ms: number): void {
    if (this.signal.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sweep(), ms);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) {
      this.again = true;
      return;
    }
    this.sweeping = this.sweepOnce();
    try {
      await this.sweeping;
    } finally {
      this.sweeping = null;
    }
    if (this.again) {
      this.again = false;
      this.wakeIn(0);
    }
  }

  private async sweepOnce(): Promise<void> {
    const interval = this.config.purge.sweepIntervalMs;
    try {
      for (const tenant of await this.purges.due(this.clock.now(), this.config.regions)) {
        if (this.signal.stopped) return;
        try {
          await this.runner.run(tenant.id, this.signal);
        } catch (error) {
          if (error instanceof PurgeStopped) return;
          this.logger.error({ err: error, tenantId: tenant.id }, 'purge: failed; retried at the next sweep');
        }
      }
      if (!this.signal.stopped) await this.recheck.run();
      const now = this.clock.now();
      this.wakeIn(nextWakeInMs(await this.purges.nextDueAt(now, this.config.regions), now, interval));
    } catch (error) {
      this.logger.error({ err: error }, 'purge sweep failed; retrying after the sweep interval');
      this.wakeIn(interval);
    }
  }
}
