import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DELIVERY_RECORDED, type DeliveryRecordedV1, type Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox, type OutgoingEvent } from '@missive/kafka';
import { Metrics, type Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { DeliveryLedgerRepository, type DeliveryOutcome } from './delivery-ledger.repository';

/** `delivery.recorded` for the bounces among the outcomes, keyed by contact (R-S8). */
export function deliveryEvents(
  region: Region,
  tenantId: string,
  outcomes: readonly DeliveryOutcome[],
): OutgoingEvent[] {
  const at = new Date().toISOString();
  return outcomes.flatMap((o) => {
    if (!o.delivery) return [];
    const data: DeliveryRecordedV1 = {
      contactId: o.contactId,
      campaignId: o.campaignId,
      outcome: o.delivery.outcome,
      source: 'smtp',
      status: o.delivery.status,
      at,
    };
    return [{ type: DELIVERY_RECORDED, region, tenantId, key: o.contactId, data }];
  });
}

/** Most outcomes one transaction writes. */
const FLUSH_SIZE = 500;
/**
 * One transaction at a time writes a tenant's outcomes, each taking whatever arrived while the previous one ran; a
 * second one joins only when this many outcomes wait (a commit held up by the disk), since each message holds a
 * send-window slot until its outcome is written.
 */
const BACKLOG = 100;
const MAX_WRITERS = 2;
/**
 * Tries at writing a batch before its rows are left `sending` to become `unknown`. A lost connection or a conflict
 * is worth another try: the outcome is known, and writing it twice changes nothing (only `sending` rows are updated).
 */
const ATTEMPTS = 3;
const RETRY_MS = 200;

interface Waiting {
  outcome: DeliveryOutcome;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface TenantQueue {
  region: Region;
  tenantId: string;
  waiting: Waiting[];
  /** Writers running: each writes what is waiting, then what arrived meanwhile, until nothing waits. */
  writers: Promise<void>[];
  /** A writer is about to start (on the next turn of the event loop). */
  starting: boolean;
}

/**
 * Records message outcomes in the ledger in batches (R-S6), as a group commit: per tenant, one transaction writes
 * every outcome that arrived while the previous one ran (up to FLUSH_SIZE), so a busy sender writes few large
 * batches and a quiet one waits for nothing but its own transaction. Each `record` resolves once its outcome is
 * durable — only then does the sender free the message's send-window slot (SendWindow) — and until then the row stays
 * `sending`, so a crash leaves it `unknown`, never resent. Bounces go out as `delivery.recorded` through the outbox
 * in the same transaction (R-S5, R-S8): the contacts service marks and suppresses the address, and its
 * `contact.changed` reaches every send gate.
 */
@Injectable()
export class OutcomeRecorder implements OnModuleDestroy {
  private readonly queues = new Map<string, TenantQueue>();

  constructor(
    private readonly databases: Databases,
    private readonly ledger: DeliveryLedgerRepository,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  record(region: Region, tenantId: string, outcome: DeliveryOutcome): Promise<void> {
    const key = `${region}:${tenantId}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { region, tenantId, waiting: [], writers: [], starting: false };
      this.queues.set(key, queue);
    }
    const durable = new Promise<void>((resolve, reject) => queue.waiting.push({ outcome, resolve, reject }));
    const wanted =
      queue.writers.length === 0 || (queue.waiting.length >= BACKLOG && queue.writers.length < MAX_WRITERS);
    if (wanted && !queue.starting) {
      // Started on the next turn, so the outcomes of this turn of the event loop go together.
      queue.starting = true;
      setImmediate(() => this.startWriter(key, queue));
    }
    return durable;
  }

  private startWriter(key: string, queue: TenantQueue): void {
    queue.starting = false;
    if (queue.waiting.length === 0) return;
    const writer: Promise<void> = this.writeWaiting(queue).then(() => {
      queue.writers.splice(queue.writers.indexOf(writer), 1);
      if (queue.writers.length === 0 && queue.waiting.length === 0 && !queue.starting) this.queues.delete(key);
    });
    queue.writers.push(writer);
  }

  private async writeWaiting(queue: TenantQueue): Promise<void> {
    while (queue.waiting.length) await this.write(queue.region, queue.tenantId, queue.waiting.splice(0, FLUSH_SIZE));
  }

  /** Writes one batch and settles its waiters; never throws. */
  private async write(region: Region, tenantId: string, batch: Waiting[]): Promise<void> {
    const outcomes = batch.map((w) => w.outcome);
    const events = deliveryEvents(region, tenantId, outcomes);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.databases.withTenant(region, tenantId, async (m) => {
          await this.ledger.record(m, outcomes);
          // R-S8: the contacts service owns what a bounce means for the address; it hears it with the record.
          await appendToOutbox(m, events);
        });
        break;
      } catch (error) {
        if (attempt < ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS * attempt));
          continue;
        }
        // The rows stay `sending` and end as `unknown`: counted, never resent (R-S6). The batch job fails and retries.
        this.logger.error({ err: error, outcomes: outcomes.length }, 'recording delivery outcomes failed');
        for (const w of batch) w.reject(error);
        return;
      }
    }
    for (const w of batch) w.resolve();
    this.count(region, outcomes);
  }

  /** Send and skip counters, one increment per label set and batch. */
  private count(region: Region, outcomes: DeliveryOutcome[]): void {
    const counts = new Map<string, number>();
    for (const o of outcomes) {
      if (o.state === 'pending') continue;
      const key = o.state === 'skipped' ? `skipped:${o.reason ?? 'unknown'}` : o.state;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of counts) {
      if (key.startsWith('skipped:')) this.metrics.campaignSkips.inc({ region, reason: key.slice(8) }, n);
      else this.metrics.campaignMessages.inc({ region, outcome: key }, n);
    }
  }

  /** Graceful shutdown (R-X4): what was sent is recorded before the process ends. */
  async onModuleDestroy(): Promise<void> {
    while (this.queues.size) {
      const queues = [...this.queues.entries()];
      for (const [key, queue] of queues)
        if (queue.waiting.length && !queue.writers.length) this.startWriter(key, queue);
      await Promise.all(queues.flatMap(([, q]) => q.writers));
      for (const [key, queue] of queues)
        if (!queue.writers.length && !queue.waiting.length && this.queues.get(key) === queue) this.queues.delete(key);
    }
  }
}
