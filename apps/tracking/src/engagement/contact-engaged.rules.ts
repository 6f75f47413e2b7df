import type { ContactEngagedV1 } from '@missive/contracts';
import type { StoredHit } from './engagement.rules';

/**
 * What one tenant's stored hits tell campaigns about each contact's engagement (R-C9, `tracking.contact-engaged`):
 * the latest human open and click per contact. Hits of blocked contacts were anonymised before (no contact id, R-K4)
 * and machine hits are not the person's (R-K4), so neither names anybody here. One fact per contact, in contact order.
 */
export function contactEngagementOf(hits: StoredHit[]): ContactEngagedV1[] {
  const byContact = new Map<string, ContactEngagedV1>();
  for (const hit of hits) {
    if (hit.contactId === null || hit.machine) continue;
    const at = new Date(hit.at);
    if (Number.isNaN(at.getTime())) continue;
    const fact = byContact.get(hit.contactId) ?? { contactId: hit.contactId, lastOpenedAt: null, lastClickedAt: null };
    const key = hit.kind === 'open' ? 'lastOpenedAt' : 'lastClickedAt';
    const current = fact[key];
    if (current === null || at.getTime() > Date.parse(current)) fact[key] = at.toISOString();
    byContact.set(hit.contactId, fact);
  }
  return [...byContact.values()].sort((a, b) => a.contactId.localeCompare(b.contactId));
}
