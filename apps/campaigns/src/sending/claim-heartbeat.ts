import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { DeliveryLedgerRepository } from './delivery-ledger.repository';

/** How often a live process refreshes its open claims; STALE_CLAIM_SECONDS spans several beats. */
const BEAT_MS = 3000;

/**
 * Tells the ledger which claims still have a live owner (R-S6): every BEAT_MS, the claims of this process that have
 * no recorded outcome yet (a slow relay, a rate-limit wait) get a fresh `updated_at`, so only the claims of a process
 * that died age into `unknown`. Cheap: one statement per tenant and beat, for the few dozen messages in flight.
 */
@Injectable()
export class ClaimHeartbeat implements OnModuleDestroy {
  /** `${region}:${tenantId}` → `${campaignId}:${contactId}` → claim */
  private readonly open = new Map<string, Map<string, { campaignId: string; contactId: string }>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly databases: Databases,
    private readonly ledger: DeliveryLedgerRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  hold(region: Region, tenantId: string, campaignId: string, contactIds: string[]): void {
    const key = `${region}:${tenantId}`;
    let claims = this.open.get(key);
    if (!claims) {
      claims = new Map();
      this.open.set(key, claims);
    }
    for (const contactId of contactIds) claims.set(`${campaignId}:${contactId}`, { campaignId, contactId });
    this.timer ??= setInterval(() => void this.beat(), BEAT_MS);
  }

  release(region: Region, tenantId: string, campaignId: string, contactId: string): void {
    const key = `${region}:${tenantId}`;
    const claims = this.open.get(key);
    claims?.delete(`${campaignId}:${contactId}`);
    if (claims?.size === 0) this.open.delete(key);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async beat(): Promise<void> {
    for (const [key, claims] of this.open) {
      const [region, tenantId] = key.split(':') as [Region, string];
      try {
        await this.databases.withTenant(region, tenantId, (m) => this.ledger.touch(m, [...claims.values()]));
      } catch (error) {
        this.logger.warn({ err: error }, 'refreshing open claims failed; trying again at the next beat');
      }
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
