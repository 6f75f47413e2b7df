import 'reflect-metadata';
import { runServices } from '@missive/platform';
import { unsubscribeService } from './service';

// Distributed mode: the unsubscribe service alone (`node dist/apps/unsubscribe/main.js`).
void runServices('unsubscribe', [unsubscribeService]);
