import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { ContactErasure, unconfirmedCutoff, unconfirmedDays } from '@missive/contact-domain';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { AuditLog, TenantStates } from '@missive/tenancy';
import { ContactsRepository } from '../contacts/contacts.repository';

/** How often the sweep runs; a pending contact outlives its tenant's days by at most this. */
export const UNCONFIRMED_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** Contacts erased per tenant transaction; the sweep goes on with the next batch until none is due. */
const BATCH = 200;

/**
 * R-C8: contacts that never confirmed their double opt-in are erased once they are older than their tenant's days
 * (`tenant_opt_in_settings.unconfirmed_days`, 30 when unset). Each goes through the one R-D1 erasure (ContactErasure):
 * its rows in every regional table, its key, and `contact.erased` for the other services' stores. Every instance
 * sweeps the regions it serves; `FOR UPDATE SKIP LOCKED` keeps two instances off the same contact.
 */
@Injectable()
export class UnconfirmedSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly contacts: ContactsRepository,
    private readonly erasure: ContactErasure,
    private readonly audit: AuditLog,
    private readonly tenants: TenantStates,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(UNCONFIRMED_SWEEP_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep of every served region at `now`; returns the contacts erased. Tests call it directly. */
  async sweep(now: Date = new Date()): Promise<number> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.sweepRegions(now);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweep()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'unconfirmed-contact sweep failed'))
        .finally(() => this.schedule(UNCONFIRMED_SWEEP_INTERVAL_MS));
    }, ms);
    this.timer.unref();
  }

  private async sweepRegions(now: Date): Promise<number> {
    let erased = 0;
    for (const region of this.config.regions) {
      for (const id of await this.tenants.unpurgedIn(region)) {
        try {
          erased += await this.sweepTenant({ id, region }, now);
        } catch (error) {
          // One tenant (a purge under way destroyed its key) must not keep the sweep from the others.
          this.logger.warn({ err: error, tenantId: id }, 'unconfirmed-contact sweep skipped a tenant');
        }
      }
    }
    if (erased > 0) this.logger.info({ erased }, 'erased unconfirmed double opt-in contacts (R-C8)');
    return erased;
  }

  private async sweepTenant(tenant: { id: string; region: Region }, now: Date): Promise<number> {
    let erased = 0;
    for (;;) {
      if (this.stopped) return erased;
      const { ids, afterCommit } = await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
        const days = unconfirmedDays(await this.contacts.unconfirmedDaysSetting(m, tenant.id));
        const due = await this.contacts.unconfirmedBefore(m, tenant.id, unconfirmedCutoff(now, days), BATCH);
        const after: (() => Promise<void>)[] = [];
        for (const contact of due) {
          const outcome = await this.erasure.erase(m, tenant, { email: contact.email, contact });
          after.push(outcome.afterCommit);
        }
        return { ids: due.map((c) => c.id), afterCommit: after };
      });
      for (const run of afterCommit) await run();
      // R-A3: an erasure is security-relevant, this one too; ids only.
      for (const contactId of ids)
        await this.audit.append({
          actor: 'system:unconfirmed-opt-in',
          action: 'contact.erased',
          tenantId: tenant.id,
          details: { contactId, reason: 'double opt-in not confirmed (R-C8)' },
        });
      erased += ids.length;
      if (ids.length < BATCH) return erased;
    }
  }
}
