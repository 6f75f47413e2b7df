import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { REGIONS, type Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { Metrics, type Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { TenantStates } from '@missive/tenancy';
import { DeliveryFeedbackRepository, type TenantDeliverabilityRow } from './delivery-feedback.repository';

/** The gauges are read from SQL at most this often, however often `/metrics` is scraped. */
const REFRESH_MS = 60_000;
/** A scrape waits this long for the read, then shows the last figures rather than hang. */
const READ_TIMEOUT_MS = 2000;

/**
 * R-S8: `missive_tenant_complaint_rate_7d` and `missive_tenant_bounce_rate_7d`, per tenant id, for the regions this
 * process serves. A scrape older than a minute re-reads them through `tenant_deliverability_7d` (one round trip
 * per region; row-level security stays on, R-T1); a scrape in between shows the figures already read. Tenants
 * that sent nothing in the window have no series, so the label set stays the active senders.
 */
@Injectable()
export class ComplaintGuardMetrics implements OnModuleInit, OnModuleDestroy {
  private readAt = 0;
  private running: Promise<void> | null = null;
  private failing = false;

  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly feedback: DeliveryFeedbackRepository,
    private readonly metrics: Metrics,
    private readonly tenants: TenantStates,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.metrics.scrapeSources.deliverability = () => this.refresh();
  }

  onModuleDestroy(): void {
    this.metrics.scrapeSources.deliverability = undefined;
  }

  refresh(): Promise<void> {
    if (Date.now() - this.readAt < REFRESH_MS) return Promise.resolve();
    this.running ??= this.withTimeout(this.read()).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async read(): Promise<void> {
    try {
      const regions = REGIONS.filter((r) => this.config.regions.includes(r));
      const at = new Date();
      const rows = (await Promise.all(regions.map((region) => this.readRegion(region, at)))).flat();
      this.metrics.tenantComplaintRate7d.reset();
      this.metrics.tenantBounceRate7d.reset();
      for (const row of rows) {
        if (Number(row.delivered) + Number(row.bounced) === 0) continue;
        this.metrics.tenantComplaintRate7d.set({ tenant: row.tenant_id }, row.complaint_rate);
        this.metrics.tenantBounceRate7d.set({ tenant: row.tenant_id }, row.bounce_rate);
      }
      this.readAt = Date.now();
      this.failing = false;
    } catch (error) {
      // Logged once per outage; the last figures stay until a read works again.
      if (!this.failing) this.logger.warn({ err: error }, 'metrics: tenant deliverability read failed');
      this.failing = true;
    }
  }

  private async readRegion(region: Region, at: Date): Promise<TenantDeliverabilityRow[]> {
    const ids = await this.tenants.unpurgedIn(region);
    if (ids.length === 0) return [];
    return this.feedback.deliverability7d(this.databases.forRegion(region), ids, at);
  }

  private withTimeout(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, READ_TIMEOUT_MS);
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
