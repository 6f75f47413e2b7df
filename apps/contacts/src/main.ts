import 'reflect-metadata';
import { runServices } from '@missive/platform';
import { contactsService } from './service';

// Distributed mode: the contacts service alone (`node dist/apps/contacts/main.js`).
void runServices('contacts', [contactsService]);
