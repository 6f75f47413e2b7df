import type { ServiceDefinition } from '@missive/platform';
import { ContactsModule } from './contacts.module';

/** Plain SQL through `manager.query` (set-based upserts, COPY): the service declares no TypeORM entities. */
export const contactsService: ServiceDefinition = {
  name: 'contacts',
  publicModules: [ContactsModule],
};
