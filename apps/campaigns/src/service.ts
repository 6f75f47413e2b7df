import type { ServiceDefinition } from '@missive/platform';
import { CampaignsModule } from './campaigns.module';

export const campaignsService: ServiceDefinition = {
  name: 'campaigns',
  publicModules: [CampaignsModule],
};
