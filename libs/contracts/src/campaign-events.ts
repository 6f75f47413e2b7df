/**
 * `campaign.links-registered` (v1): the campaigns service rewrote a campaign's links to signed click URLs
 * (R-S4) and tells the link host where each link index goes (R-K3). Published before the first message of the
 * campaign leaves; re-publishing the same campaign overwrites the same indexes. Key: the campaign id.
 */
export interface CampaignLinksRegisteredV1 {
  campaignId: string;
  /** The campaign's links by index (the `linkIndex` of its click tokens); absolute http(s) URLs. */
  links: { index: number; url: string }[];
}

export const CAMPAIGN_LINKS_REGISTERED = 'campaign.links-registered';
