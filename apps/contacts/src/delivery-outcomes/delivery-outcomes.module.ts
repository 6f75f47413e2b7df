import { Module } from '@nestjs/common';
import { ContactsFeatureModule } from '../contacts/contacts.module';
import { SuppressionsRepository } from '../suppressions/suppressions.repository';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { DeliveryOutcomesService } from './delivery-outcomes.service';
import { DeliveryRecordedConsumer } from './delivery-recorded.consumer';

/** Delivery outcomes (R-S5, R-S8): the contacts service owns `bounced` and `complained`. */
@Module({
  imports: [ContactsFeatureModule],
  controllers: [DeliveryRecordedConsumer],
  providers: [DeliveryOutcomesService, DeliveryOutcomesRepository, SuppressionsRepository],
})
export class DeliveryOutcomesModule {}
