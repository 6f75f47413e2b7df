import { Module } from '@nestjs/common';
import { ContactsFeatureModule } from '../contacts/contacts.module';
import { SuppressionsController } from './suppressions.controller';
import { SuppressionsRepository } from './suppressions.repository';
import { SuppressionsService } from './suppressions.service';

@Module({
  imports: [ContactsFeatureModule],
  controllers: [SuppressionsController],
  providers: [SuppressionsService, SuppressionsRepository],
  exports: [SuppressionsRepository],
})
export class SuppressionsModule {}
