import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { ContactsFeatureModule } from './contacts/contacts.module';
import { ImportsModule } from './imports/imports.module';
import { SuppressionsModule } from './suppressions/suppressions.module';

/** The contacts service's public-listener wiring: feature modules and libs, nothing else. */
@Module({ imports: [TenancyModule, ContactsFeatureModule, ImportsModule, SuppressionsModule] })
export class ContactsModule {}
