import type { ServiceDefinition } from '@missive/platform';
import { SupportModule } from './support.module';

export const supportService: ServiceDefinition = {
  name: 'support',
  supportModules: [SupportModule],
};
