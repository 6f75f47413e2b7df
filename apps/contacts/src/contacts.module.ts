import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { ContactsFeatureModule } from './contacts/contacts.module';
import { DeliveryOutcomesModule } from './delivery-outcomes/delivery-outcomes.module';
import { ImportsModule } from './imports/imports.module';
import { OptInConfirmedConsumer } from './opt-in/opt-in-confirmed.consumer';
import { UnconfirmedSweep } from './opt-in/unconfirmed-sweep';
import { ResubscribeModule } from './resubscribe/resubscribe.module';
import { SuppressionsModule } from './suppressions/suppressions.module';
import { UnsubscribeRecordedConsumer } from './unsubscribe-recorded.consumer';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The contacts service's public-listener wiring: feature modules, libs and the event consumers. */
@Module({
  imports: [
    TenancyModule,
    ContactsFeatureModule,
    ImportsModule,
    SuppressionsModule,
    ResubscribeModule,
    DeliveryOutcomesModule,
    WebhooksModule,
  ],
  controllers: [UnsubscribeRecordedConsumer, OptInConfirmedConsumer],
  providers: [UnconfirmedSweep],
})
export class ContactsModule {}
