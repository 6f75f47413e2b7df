import 'reflect-metadata';
import { runServices } from '@missive/platform';
import { ALL_SERVICES } from './all-services';

// Single-node mode (the default for `npm start`): every service in one process, Kafka boundary kept.
void runServices('missive', ALL_SERVICES);
