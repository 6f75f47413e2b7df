import 'reflect-metadata';
import { runServices } from '@missive/platform';
import { trackingService } from './service';

// Distributed mode: the tracking service alone (`node dist/apps/tracking/main.js`).
void runServices('tracking', [trackingService]);
