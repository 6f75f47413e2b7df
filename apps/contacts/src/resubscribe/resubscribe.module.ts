import { Module } from '@nestjs/common';
import { ContactsFeatureModule } from '../contacts/contacts.module';
import { SuppressionsRepository } from '../suppressions/suppressions.repository';
import { ResubscribeController } from './resubscribe.controller';
import { ResubscribeService } from './resubscribe.service';

@Module({
  imports: [ContactsFeatureModule],
  controllers: [ResubscribeController],
  providers: [ResubscribeService, SuppressionsRepository],
})
export class ResubscribeModule {}
