import { Module } from '@nestjs/common';
import { TenantLifecycleController } from './tenant-lifecycle.controller';
import { TenantAccess } from './tenant-access';
import { TenantLifecycleService } from './tenant-lifecycle.service';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';

@Module({
  controllers: [TenantsController, TenantLifecycleController],
  providers: [TenantsRepository, TenantAccess, TenantsService, TenantLifecycleService],
  exports: [TenantsRepository, TenantAccess],
})
export class TenantsModule {}
