import type { ServiceDefinition } from '@missive/platform';
import { AudienceModule } from './audience/audience.module';
import { CampaignsModule } from './campaigns.module';

export const campaignsService: ServiceDefinition = {
  name: 'campaigns',
  publicModules: [CampaignsModule, AudienceModule],
};
