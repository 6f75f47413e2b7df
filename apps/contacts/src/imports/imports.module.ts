import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TenancyModule } from '@missive/tenancy';
import { ContactsFeatureModule } from '../contacts/contacts.module';
import { acceptRawBodies } from '../raw-bodies';
import { ImportFiles } from './import-files';
import { ImportQueues } from './import-queues';
import { ImportRunner } from './import-runner';
import { ImportProcessor } from './import.processor';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { IMPORT_CONTENT_TYPES, ImportsService } from './imports.service';

@Module({
  imports: [ContactsFeatureModule, TenancyModule],
  controllers: [ImportsController],
  providers: [ImportsService, ImportsRepository, ImportFiles, ImportQueues, ImportRunner, ImportProcessor],
})
export class ImportsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Import bodies reach the route as the raw request stream; it enforces its own 250 MB limit while streaming. */
  onModuleInit(): void {
    acceptRawBodies(this.adapterHost, Object.keys(IMPORT_CONTENT_TYPES));
  }
}
