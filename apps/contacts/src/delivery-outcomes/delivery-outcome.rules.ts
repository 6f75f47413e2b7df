import type { ContactStatus } from '@missive/contact-domain';
import type { DeliveryOutcomeV1 } from '@missive/contracts';

/** R-S8: soft bounces within this window that suppress the address. */
export const SOFT_BOUNCES_TO_SUPPRESS = 3;
export const SOFT_BOUNCE_WINDOW_DAYS = 30;

export interface DeliveryVerdict {
  /** The contact's new status; null leaves it as it is. */
  status: ContactStatus | null;
  /** The suppression to record for the address (its reason); null records none. */
  suppress: 'bounced' | 'complained' | null;
}

const UNCHANGED: DeliveryVerdict = { status: null, suppress: null };

/**
 * What one delivery outcome means for the address (R-S5, R-S8), decided once, here, by its owner. A hard bounce,
 * or the third soft bounce within 30 days, makes a mailable contact `bounced`; a complaint makes any contact
 * `complained` (the stronger word); both record a suppression with the reason, which only a resubscribe with a
 * new consent record lifts. A contact already not mailable keeps its status but gets the suppression. A
 * restricted contact is kept, never processed (R-D1).
 */
export function deliveryVerdict(
  status: ContactStatus,
  outcome: DeliveryOutcomeV1,
  softBouncesInWindow: number,
): DeliveryVerdict {
  if (status === 'restricted') return UNCHANGED;
  if (outcome === 'complaint') return { status: status === 'complained' ? null : 'complained', suppress: 'complained' };
  if (outcome === 'soft-bounce' && softBouncesInWindow < SOFT_BOUNCES_TO_SUPPRESS) return UNCHANGED;
  const mailable = status === 'active' || status === 'suppressed';
  return { status: mailable ? 'bounced' : null, suppress: 'bounced' };
}
