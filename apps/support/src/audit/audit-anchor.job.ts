import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { AuditLog, type AnchorOutcome } from '@missive/tenancy';

/**
 * R-A3: signs the audit chain's head at start and then every AUDIT_ANCHOR_INTERVAL_MS (at most an hour) into
 * `audit_anchors` and, as the copy outside the database, into the log (`audit: anchor`, shipped with the other
 * logs). Every support replica runs it; the anchor lock and the `fresh` rule keep it to about one anchor per interval.
 */
@Injectable()
export class AuditAnchorJob implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<AnchorOutcome | null> | null = null;
  private stopped = false;

  constructor(
    private readonly audit: AuditLog,
    private readonly config: MissiveConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One anchoring now; null when it failed (logged). Tests call it to avoid waiting for the timer. */
  async runOnce(): Promise<AnchorOutcome | null> {
    while (this.running) await this.running;
    this.running = this.anchor();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule(this.config.audit.anchorIntervalMs));
    }, ms);
  }

  private async anchor(): Promise<AnchorOutcome | null> {
    const interval = this.config.audit.anchorIntervalMs;
    try {
      const outcome = await this.audit.anchor({ freshMs: interval / 2 });
      if (outcome.written) {
        this.logger.info({ auditAnchor: { kind: outcome.kind, ...outcome.anchor } }, 'audit: anchor');
      } else if (outcome.reason === 'broken') {
        this.logger.error(
          { brokenAt: outcome.brokenAt, reason: outcome.because },
          'audit: chain broken since the last anchor; not anchored (R-A3)',
        );
      }
      return outcome;
    } catch (error) {
      this.logger.error({ err: error }, 'audit: anchoring failed; retried at the next interval');
      return null;
    }
  }
}
