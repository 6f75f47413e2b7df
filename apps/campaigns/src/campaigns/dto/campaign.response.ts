import type { CampaignRow } from '../campaign.repository';

/** The campaign as the API shows it (API.md): no template internals such as link variables. */
export function campaignResponse(row: CampaignRow) {
  return {
    id: row.id,
    name: row.name,
    subject: row.subject,
    fromEmail: row.from_email,
    fromName: row.from_name,
    status: row.status,
    pausedReason: row.paused_reason ?? null,
    audience: row.audience,
    tracking: { opens: row.track_opens, clicks: row.track_clicks },
    sendAt: row.send_at ? new Date(row.send_at).toISOString() : null,
    audienceSize: row.audience_size,
    links: row.links.length,
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

export type CampaignResponse = ReturnType<typeof campaignResponse>;
