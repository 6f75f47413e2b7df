import type { ServiceDefinition } from '@missive/platform';
import { NoticesModule } from './notices/notices.module';
import { SupportModule } from './support.module';

export const supportService: ServiceDefinition = {
  name: 'support',
  publicModules: [NoticesModule],
  supportModules: [SupportModule],
};
