import 'reflect-metadata';
import { runSingleNode } from '@missive/platform';
import { ALL_SERVICES } from './all-services';

// Single-node mode (the default for `npm start`): every service in one host, on every core, Kafka boundary kept.
void runSingleNode('missive', ALL_SERVICES);
