import type { ServiceDefinition } from '@missive/platform';
import { ContactsModule } from './contacts.module';

export const contactsService: ServiceDefinition = {
  name: 'contacts',
  publicModules: [ContactsModule],
};
