import { Module } from '@nestjs/common';
import { ContactErasure, ContactEvents, ErasureRepository } from '@missive/contact-domain';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';

@Module({
  controllers: [ContactsController],
  providers: [ContactsService, ContactsRepository, ContactEvents, ContactErasure, ErasureRepository],
  exports: [ContactsRepository, ContactEvents],
})
export class ContactsFeatureModule {}
