/**
 * `import.finished` (v1): an import ended, done or failed (R-C6); published by the contacts service in the
 * transaction that marks it so. Ids and the outcome only. Key: the import id.
 */
export interface ImportFinishedV1 {
  importId: string;
  status: 'done' | 'failed';
}

/**
 * `campaign.finished` (v1): a campaign's last message was settled and it became `sent`; published by the send
 * worker in the transaction that marks it so. Key: the campaign id.
 */
export interface CampaignFinishedV1 {
  campaignId: string;
  status: 'sent';
}

export const IMPORT_FINISHED = 'import.finished';
export const CAMPAIGN_FINISHED = 'campaign.finished';
