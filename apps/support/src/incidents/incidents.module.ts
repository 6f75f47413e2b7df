import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { IncidentsController } from './incidents.controller';
import { IncidentsService } from './incidents.service';

@Module({ imports: [TenantsModule], controllers: [IncidentsController], providers: [IncidentsService] })
export class IncidentsModule {}
