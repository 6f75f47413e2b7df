import type { ServiceDefinition } from '@missive/platform';
import { NoticesModule } from './notices/notices.module';
import { StaffApi } from './staff/staff-api.decorators';
import { SupportModule } from './support.module';

export const supportService: ServiceDefinition = {
  name: 'support',
  publicModules: [NoticesModule],
  supportModules: [SupportModule],
  staffApi: StaffApi,
};
