import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';

@Module({ imports: [TenantsModule], controllers: [ReferralsController], providers: [ReferralsService] })
export class ReferralsModule {}
