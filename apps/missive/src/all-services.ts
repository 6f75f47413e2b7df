import type { ServiceDefinition } from '@missive/platform';
import { campaignsService } from '../../campaigns/src/service';
import { contactsService } from '../../contacts/src/service';
import { privacyService } from '../../privacy/src/service';
import { supportService } from '../../support/src/service';
import { trackingService } from '../../tracking/src/service';
import { unsubscribeService } from '../../unsubscribe/src/service';

/** Every service, for single-node mode. The host only lists them; services still talk only through Kafka. */
export const ALL_SERVICES: ServiceDefinition[] = [
  supportService,
  contactsService,
  campaignsService,
  trackingService,
  unsubscribeService,
  privacyService,
];
