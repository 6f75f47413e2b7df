import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { Metrics, type Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { DeliveryLedger, type DeliveryOutcome } from './delivery-ledger.repository';

/** Outcomes are written when this many are waiting for one tenant, or this long after the first of them. */
const FLUSH_SIZE = 200;
const FLUSH_MS = 100;

interface Pending {
  outcomes: DeliveryOutcome[];
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
  timer: NodeJS.Timeout | null;
}

/**
 * Records message outcomes in the ledger in batches (R-S6): one tenant transaction per FLUSH_SIZE outcomes or
 * FLUSH_MS, instead of one per message. Each `record` resolves once its outcome is durable; until then the row stays
 * `sending`, so a crash leaves it `unknown` — never resent. Hard bounces suppress the address in the same
 * transaction (R-S5).
 */
@Injectable()
export class OutcomeRecorder implements OnModuleDestroy {
  private readonly ledger = new DeliveryLedger();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly databases: Databases,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  record(region: Region, tenantId: string, outcome: DeliveryOutcome): Promise<void> {
    const key = `${region}:${tenantId}`;
    let batch = this.pending.get(key);
    if (!batch) {
      batch = { outcomes: [], waiters: [], timer: null };
      this.pending.set(key, batch);
    }
    batch.outcomes.push(outcome);
    const durable = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (batch.outcomes.length >= FLUSH_SIZE) void this.flush(region, tenantId);
    else batch.timer ??= setTimeout(() => void this.flush(region, tenantId), FLUSH_MS);
    return durable;
  }

  private async flush(region: Region, tenantId: string): Promise<void> {
    const key = `${region}:${tenantId}`;
    const batch = this.pending.get(key);
    if (!batch) return;
    this.pending.delete(key);
    if (batch.timer) clearTimeout(batch.timer);
    const bounced = batch.outcomes.filter((o) => o.state === 'bounced').map((o) => o.contactId);
    try {
      await this.databases.withTenant(region, tenantId, async (m) => {
        await this.ledger.record(m, batch.outcomes);
        // R-S5: a hard bounce suppresses the address for every later message of the tenant.
        if (bounced.length)
          await m.query(
            `UPDATE campaign_contacts SET status = 'bounced', updated_at = now()
             WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])`,
            [tenantId, bounced],
          );
      });
      for (const w of batch.waiters) w.resolve();
      for (const o of batch.outcomes) {
        if (o.state === 'skipped') this.metrics.campaignSkips.inc({ region, reason: o.reason ?? 'unknown' });
        else if (o.state !== 'pending') this.metrics.campaignMessages.inc({ region, outcome: o.state });
      }
    } catch (error) {
      // The rows stay `sending` and end as `unknown`: counted, never resent (R-S6). The batch job fails and retries.
      this.logger.error({ err: error, outcomes: batch.outcomes.length }, 'recording delivery outcomes failed');
      for (const w of batch.waiters) w.reject(error);
    }
  }

  /** Graceful shutdown (R-X4): what was sent is recorded before the process ends. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(
      [...this.pending.keys()].map((key) => {
        const [region, tenantId] = key.split(':') as [Region, string];
        return this.flush(region, tenantId);
      }),
    );
  }
}
