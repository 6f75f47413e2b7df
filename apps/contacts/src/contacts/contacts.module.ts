import { Module } from '@nestjs/common';
import { ContactErasure, ContactEvents, ErasureRepository } from '@missive/contact-domain';
import { ContactListingRepository } from './contact-listing.repository';
import { ContactListingService } from './contact-listing.service';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';

@Module({
  controllers: [ContactsController],
  providers: [
    ContactsService,
    ContactsRepository,
    ContactListingService,
    ContactListingRepository,
    ContactEvents,
    ContactErasure,
    ErasureRepository,
  ],
  exports: [ContactsRepository, ContactEvents, ContactErasure],
})
export class ContactsFeatureModule {}
