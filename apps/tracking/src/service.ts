import type { ServiceDefinition } from '@missive/platform';
import { TrackingModule } from './tracking.module';

export const trackingService: ServiceDefinition = {
  name: 'tracking',
  publicModules: [TrackingModule],
};
