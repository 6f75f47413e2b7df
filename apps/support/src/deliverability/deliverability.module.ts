import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { DeliverabilityController } from './deliverability.controller';

@Module({ imports: [TenantsModule], controllers: [DeliverabilityController] })
export class DeliverabilityModule {}
