import { Controller } from '@nestjs/common';
import { TENANT_CHANGED } from '@missive/contracts';
import { ConsumeEvents } from '@missive/kafka';
import { PurgeScheduler } from './purge-scheduler';

/** `tenant.changed` (termination, reactivation, legal hold): re-plan the purges now rather than at the next sweep. */
@Controller()
export class PurgeWakeupConsumer {
  constructor(private readonly scheduler: PurgeScheduler) {}

  @ConsumeEvents('privacy-purge-wakeup', TENANT_CHANGED, { inbox: false, broadcast: true, fromBeginning: false })
  tenantChanged(): void {
    this.scheduler.wake();
  }
}
