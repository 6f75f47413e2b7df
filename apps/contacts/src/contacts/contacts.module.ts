import { Module } from '@nestjs/common';
import { ContactEvents } from '@missive/contact-domain';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';

@Module({
  controllers: [ContactsController],
  providers: [ContactsService, ContactsRepository, ContactEvents],
  exports: [ContactsRepository, ContactEvents],
})
export class ContactsFeatureModule {}
