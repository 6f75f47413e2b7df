import 'reflect-metadata';
import { runServices } from '@missive/platform';
import { privacyService } from './service';

// Distributed mode: the privacy service alone (`node dist/apps/privacy/main.js`).
void runServices('privacy', [privacyService]);
