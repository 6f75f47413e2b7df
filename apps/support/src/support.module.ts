import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { DeliverabilityModule } from './deliverability/deliverability.module';
import { IncidentsModule } from './incidents/incidents.module';
import { QueuesModule } from './queues/queues.module';
import { ReferralsModule } from './referrals/referrals.module';
import { StaffModule } from './staff/staff.module';
import { TenantsModule } from './tenants/tenants.module';

/** The support service's wiring (support listener only, never the public port): feature modules and libs, nothing else. */
@Module({
  imports: [
    StaffModule,
    TenantsModule,
    AuditModule,
    IncidentsModule,
    ReferralsModule,
    QueuesModule,
    DeliverabilityModule,
  ],
})
export class SupportModule {}
