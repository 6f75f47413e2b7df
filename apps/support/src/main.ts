import 'reflect-metadata';
import { runServices } from '@missive/platform';
import { supportService } from './service';

// Distributed mode: the support service alone (`node dist/apps/support/main.js`).
void runServices('support', [supportService]);
