import { GlobalFoundation1763900000000 } from './global/1763900000000-global-foundation';
import { RegionalFoundation1763900000000 } from './regional/1763900000000-regional-foundation';
import { Tracking1763920000000 } from './regional/1763920000000-tracking';
import { TenantDirectory1764000000000 } from './global/1764000000000-tenant-directory';
import { TenantNotices1764000000000 } from './regional/1764000000000-tenant-notices';
import { TenantRlsUnsetTenant1764900000000 } from './regional/1764900000000-tenant-rls-unset-tenant';
import { Contacts1764100000000 } from './regional/1764100000000-contacts';
import { TenantKeys1764200000000 } from './regional/1764200000000-tenant-keys';
import { Campaigns1764300000000 } from './regional/1764300000000-campaigns';
import { Unsubscribe1764400000000 } from './regional/1764400000000-unsubscribe';
import { TenantPurges1765100000000 } from './global/1765100000000-tenant-purges';
import { PurgeLeftovers1765300000000 } from './global/1765300000000-purge-leftovers';
import { AuditChainKeyed1765410000005 } from './global/1765410000005-audit-chain-keyed';
import { PurgeProgress1765100000000 } from './regional/1765100000000-purge-progress';
import { PrivacyRequests1765000000000 } from './regional/1765000000000-privacy-requests';
import { OutboxPayloadUncompressed1765200000000 } from './regional/1765200000000-outbox-payload-uncompressed';
import { PrivacyRequestsOverdue1765310000000 } from './regional/1765310000000-privacy-requests-overdue';
import { CampaignPausedReason1765400000000 } from './regional/1765400000000-campaign-paused-reason';
import { ContactListsLeft1765410000000 } from './regional/1765410000000-contact-lists-left';
import { InboundFeedback1765420000072 } from './regional/1765420000072-inbound-feedback';
import { InboundFeedbackProviders1765420000081 } from './regional/1765420000081-inbound-feedback-providers';
import { SendingDomains1765430000081 } from './regional/1765430000081-sending-domains';
import { ContactsListingIndex1765440000010 } from './regional/1765440000010-contacts-listing-index';
import { ComplaintGuard1765450000011 } from './regional/1765450000011-complaint-guard';
import { AudienceFilters1765470000090 } from './regional/1765470000090-audience-filters';
import { WebhookEndpoints1765460000073 } from './regional/1765460000073-webhook-endpoints';
import { DeliveryOutcomes1765420000071 } from './regional/1765420000071-delivery-outcomes';
import { UnsubscribeAwaitingContact1765410000001 } from './regional/1765410000001-unsubscribe-awaiting-contact';
import { EngagementOneOwner1765410000002 } from './regional/1765410000002-engagement-one-owner';
import { ContactKeys1765410000003 } from './regional/1765410000003-contact-keys';
import { UnsubscribeContactLocale1765460000623 } from './regional/1765460000623-unsubscribe-contact-locale';
import { DoubleOptIn1765460000000 } from './regional/1765460000000-double-opt-in';

/**
 * Committed migrations, listed explicitly (not globbed) so bundled builds carry them. Append new ones at the
 * end. The global directory holds no contact personal data (R-T2); regional databases hold it all.
 */
export const GLOBAL_MIGRATIONS: Function[] = [
  GlobalFoundation1763900000000,
  TenantDirectory1764000000000,
  TenantPurges1765100000000,
  PurgeLeftovers1765300000000,
  AuditChainKeyed1765410000005,
];
export const REGIONAL_MIGRATIONS: Function[] = [
  RegionalFoundation1763900000000,
  TenantNotices1764000000000,
  Contacts1764100000000,
  TenantKeys1764200000000,
  Tracking1763920000000,
  TenantRlsUnsetTenant1764900000000,
  Campaigns1764300000000,
  Unsubscribe1764400000000,
  PurgeProgress1765100000000,
  PrivacyRequests1765000000000,
  OutboxPayloadUncompressed1765200000000,
  PrivacyRequestsOverdue1765310000000,
  CampaignPausedReason1765400000000,
  ContactListsLeft1765410000000,
  UnsubscribeAwaitingContact1765410000001,
  EngagementOneOwner1765410000002,
  ContactKeys1765410000003,
  DeliveryOutcomes1765420000071,
  InboundFeedback1765420000072,
  InboundFeedbackProviders1765420000081,
  SendingDomains1765430000081,
  ContactsListingIndex1765440000010,
  ComplaintGuard1765450000011,
  DoubleOptIn1765460000000,
  WebhookEndpoints1765460000073,
  UnsubscribeContactLocale1765460000623,
  AudienceFilters1765470000090,
];
