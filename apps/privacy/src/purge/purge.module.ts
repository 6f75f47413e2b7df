import { Module } from '@nestjs/common';
import { AuditLogModule } from '@missive/tenancy';
import { FilePurger } from './file-purger';
import { KeyShredder } from './key-shredder';
import { PurgeProgressRepository } from './purge-progress.repository';
import { PurgeRecheck } from './purge-recheck';
import { PurgeRunner } from './purge-runner';
import { PurgeScheduler } from './purge-scheduler';
import { PurgeWakeupConsumer } from './purge-wakeup.consumer';
import { QueuePurger } from './queue-purger';
import { RedisPurger } from './redis-purger';
import { TablePurger } from './table-purger';
import { TenantPurgesRepository } from './tenant-purges.repository';

/** The two-week purge (R-P2–P4): scheduler, runner and one purger per store. */
@Module({
  imports: [AuditLogModule],
  controllers: [PurgeWakeupConsumer],
  providers: [
    TenantPurgesRepository,
    PurgeProgressRepository,
    TablePurger,
    RedisPurger,
    QueuePurger,
    FilePurger,
    KeyShredder,
    PurgeRunner,
    PurgeRecheck,
    PurgeScheduler,
  ],
  exports: [PurgeRunner, PurgeScheduler],
})
export class PurgeModule {}
