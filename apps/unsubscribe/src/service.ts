import type { ServiceDefinition } from '@missive/platform';
import { UnsubscribeModule } from './unsubscribe.module';

export const unsubscribeService: ServiceDefinition = {
  name: 'unsubscribe',
  publicModules: [UnsubscribeModule],
};
