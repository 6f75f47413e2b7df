import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ContactsFeatureModule } from '../contacts/contacts.module';
import { ImportFiles } from '../imports/import-files';
import { acceptRawBodies } from '../raw-bodies';
import { SuppressionImportsService } from './suppression-imports.service';
import { SuppressionsController } from './suppressions.controller';
import { SuppressionsRepository } from './suppressions.repository';
import { SuppressionsService } from './suppressions.service';

@Module({
  imports: [ContactsFeatureModule],
  controllers: [SuppressionsController],
  providers: [SuppressionsService, SuppressionsRepository, SuppressionImportsService, ImportFiles],
  exports: [SuppressionsService],
})
export class SuppressionsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** CSV imports of suppressions reach their route as the raw request stream (32 MB, enforced while spooling). */
  onModuleInit(): void {
    acceptRawBodies(this.adapterHost, ['text/csv']);
  }
}
