/** Below this many delivered messages a handful of complaints says nothing about the list (R-S8). */
export const COMPLAINT_GUARD_MIN_DELIVERED = 1000;
/** Complaints per delivered message above which a campaign stops itself: mailbox providers' own threshold. */
export const COMPLAINT_GUARD_MAX_RATE = 0.003;
export const COMPLAINT_RATE_PAUSE_REASON = 'complaint_rate';

export interface ComplaintGuardInput {
  /** Messages the relay accepted for the campaign (ledger state `sent`). */
  delivered: number;
  /** Distinct contacts of the campaign who complained. */
  complaints: number;
}

/**
 * R-S8: a campaign whose complaint rate passes 0.3 % once 1,000 messages were delivered pauses itself, so a bad
 * list stops hurting the sender's reputation before the rest of it goes out.
 */
export function complaintGuard({ delivered, complaints }: ComplaintGuardInput): { pause: boolean; rate: number } {
  const rate = delivered > 0 ? complaints / delivered : 0;
  return { pause: delivered >= COMPLAINT_GUARD_MIN_DELIVERED && rate > COMPLAINT_GUARD_MAX_RATE, rate };
}

/** The notice the tenant reads at GET /v1/notices; ids and figures only, never a contact's data. */
export function complaintNoticeSummary(campaignId: string, delivered: number, complaints: number): string {
  const pct = ((complaints / delivered) * 100).toFixed(2);
  return (
    `Campaign ${campaignId} paused itself: ${complaints} complaints for ${delivered} delivered messages ` +
    `(${pct} %, above 0.3 %). Check the audience's consent before resuming it.`
  );
}
