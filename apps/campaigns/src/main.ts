import 'reflect-metadata';
import { runServices } from '@missive/platform';
import { campaignsService } from './service';

// Distributed mode: the campaigns service alone (`node dist/apps/campaigns/main.js`).
void runServices('campaigns', [campaignsService]);
