import type { ServiceDefinition } from '@missive/platform';
import { TrackingModule } from './tracking.module';

export const trackingService: ServiceDefinition = {
  name: 'tracking',
  publicModules: [TrackingModule],
  // The link host answers without both (R-K5): hits go to the local spool while Kafka is away, and neither the
  // hit nor the click path reads PostgreSQL. Only Redis (the campaign links) is needed to stay in rotation.
  readinessTolerates: ['kafka', 'postgres'],
};
