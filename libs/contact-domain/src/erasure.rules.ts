import type { ContactStatus } from './contact.rules';

/** What shows that the person opted out of the tenant's marketing before an erasure. */
export interface OptOutFacts {
  contactStatus: ContactStatus | null;
  /** Opt-outs of everything (unsubscribe, objection); leaving single lists is not one. */
  fullOptOuts: number;
  onSuppressionList: boolean;
}

/**
 * R-D2: an erased person who had opted out leaves a keyed hash of the address on the suppression list, so a
 * re-import lands suppressed instead of resurrecting them. Someone who never opted out leaves nothing.
 */
export function keepsSuppressionHash(facts: OptOutFacts): boolean {
  return (
    facts.onSuppressionList ||
    facts.fullOptOuts > 0 ||
    facts.contactStatus === 'unsubscribed' ||
    facts.contactStatus === 'suppressed'
  );
}
