import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { ContactsFeatureModule } from './contacts/contacts.module';
import { DeliveryOutcomesModule } from './delivery-outcomes/delivery-outcomes.module';
import { ImportsModule } from './imports/imports.module';
import { ResubscribeModule } from './resubscribe/resubscribe.module';
import { SuppressionsModule } from './suppressions/suppressions.module';
import { UnsubscribeRecordedConsumer } from './unsubscribe-recorded.consumer';

/** The contacts service's public-listener wiring: feature modules, libs and the event consumers. */
@Module({
  imports: [
    TenancyModule,
    ContactsFeatureModule,
    ImportsModule,
    SuppressionsModule,
    ResubscribeModule,
    DeliveryOutcomesModule,
  ],
  controllers: [UnsubscribeRecordedConsumer],
})
export class ContactsModule {}
