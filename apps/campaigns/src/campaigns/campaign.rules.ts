/**
 * Campaign states (R-S1): draft → scheduled → sending → sent, with pause, resume and cancel. Plain function: the
 * service asks what an action does to a state, and answers 409 when the action does not apply.
 */
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export function isCampaignStatus(text: string): text is CampaignStatus {
  return (CAMPAIGN_STATUSES as readonly string[]).includes(text);
}
export type CampaignAction = 'send' | 'pause' | 'resume' | 'cancel' | 'start' | 'complete';

export type Transition = { ok: true; status: CampaignStatus } | { ok: false; reason: string };

export function transition(status: CampaignStatus, action: CampaignAction, sendAt: Date | null, now: Date): Transition {
  const later = sendAt !== null && sendAt.getTime() > now.getTime();
  switch (action) {
    case 'send':
      if (status === 'draft') return { ok: true, status: later ? 'scheduled' : 'sending' };
      break;
    case 'start':
      if (status === 'scheduled') return { ok: true, status: 'sending' };
      break;
    case 'pause':
      if (status === 'sending' || status === 'scheduled') return { ok: true, status: 'paused' };
      break;
    case 'resume':
      if (status === 'paused') return { ok: true, status: later ? 'scheduled' : 'sending' };
      break;
    case 'cancel':
      if (status === 'draft' || status === 'scheduled' || status === 'sending' || status === 'paused')
        return { ok: true, status: 'cancelled' };
      break;
    case 'complete':
      if (status === 'sending') return { ok: true, status: 'sent' };
      break;
  }
  return { ok: false, reason: `a ${status} campaign cannot ${action}` };
}

/** Whether workers may send messages of a campaign in this state (checked per message, so pause bites at once). */
export function isSendable(status: CampaignStatus): boolean {
  return status === 'sending';
}
