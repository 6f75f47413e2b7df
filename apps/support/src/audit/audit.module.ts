import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { AuditAnchorJob } from './audit-anchor.job';
import { AuditController } from './audit.controller';

@Module({
  imports: [TenantsModule],
  controllers: [AuditController],
  providers: [AuditAnchorJob],
  exports: [AuditAnchorJob],
})
export class AuditModule {}
