import type { Region } from '@missive/contracts';

export interface CampaignTracking {
  opens: boolean;
  clicks: boolean;
}

/**
 * Whether a message may carry an open pixel and tracked links (R-S4): the tenant switches each on or off per
 * campaign (default on), and an EEA data subject is tracked only with `trackingConsent: true` (ePrivacy Art. 5(3)).
 */
export function trackingAllowed(
  campaign: CampaignTracking,
  contact: { region: Region; trackingConsent: boolean },
): CampaignTracking {
  const consented = contact.region !== 'EEA' || contact.trackingConsent;
  return { opens: campaign.opens && consented, clicks: campaign.clicks && consented };
}
