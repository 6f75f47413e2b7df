import type { ServiceDefinition } from '@missive/platform';
import { PrivacyModule } from './privacy.module';

export const privacyService: ServiceDefinition = {
  name: 'privacy',
  publicModules: [PrivacyModule],
};
