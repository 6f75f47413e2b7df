/**
 * The one definition of the engagement counts (R-K4, R-S7), applied to the hits tracking stored after its blocks
 * and anonymisation. Opens and clicks are the person's (human) hits; machine hits (Apple Mail Privacy Protection,
 * link scanners, prefetch) are counted beside them, never inside, so a report shows both. A unique open or click
 * is a contact's first human hit of that kind for the campaign; an anonymised hit (contactId null: the contact was
 * erased, opted out or is restricted) counts in the totals only, as nothing may link it to the person.
 */
import type { EngagementCountsV1 } from '@missive/contracts';
import type { StoredHit } from './engagement.rules';

export type EngagementCounts = EngagementCountsV1;

/** One contact's share of a batch for one campaign: what its engagement row gains. */
export interface ContactEngagementDelta {
  campaignId: string;
  contactId: string;
  opens: number;
  machineOpens: number;
  clicks: number;
  machineClicks: number;
  /** The first human open or click of the batch (ISO-8601), null when it had none. */
  firstOpenAt: string | null;
  firstClickAt: string | null;
  lastHitAt: string;
}

export interface BatchEngagement {
  /** What the batch adds to each campaign's counts, by campaign id. */
  campaigns: Map<string, EngagementCounts>;
  contacts: ContactEngagementDelta[];
}

export function noEngagement(): EngagementCounts {
  return { opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0 };
}

/** The key of "this contact already had a human hit of this kind for this campaign" in `engagedBefore`. */
export function engagedKey(campaignId: string, contactId: string, kind: StoredHit['kind']): string {
  return `${campaignId}/${contactId}/${kind}`;
}

const earlier = (a: string | null, b: string) => (a === null || Date.parse(b) < Date.parse(a) ? b : a);

/**
 * What a batch of newly stored hits adds to the campaigns' counts and the contacts' engagement rows.
 * `engagedBefore` holds the `engagedKey`s of contacts whose first human open or click of the campaign was counted
 * by an earlier batch, so a unique count stays right across batches and restarts.
 */
export function engagementOf(hits: readonly StoredHit[], engagedBefore: ReadonlySet<string>): BatchEngagement {
  const campaigns = new Map<string, EngagementCounts>();
  const contacts = new Map<string, ContactEngagementDelta>();
  const firstInBatch = new Set<string>();
  for (const hit of hits) {
    let counts = campaigns.get(hit.campaignId);
    if (!counts) campaigns.set(hit.campaignId, (counts = noEngagement()));
    const open = hit.kind === 'open';
    if (open) counts[hit.machine ? 'machineOpens' : 'opens']++;
    else counts[hit.machine ? 'machineClicks' : 'clicks']++;
    if (hit.contactId === null) continue;

    const pair = `${hit.campaignId}/${hit.contactId}`;
    let contact = contacts.get(pair);
    if (!contact) {
      contact = {
        campaignId: hit.campaignId,
        contactId: hit.contactId,
        opens: 0,
        machineOpens: 0,
        clicks: 0,
        machineClicks: 0,
        firstOpenAt: null,
        firstClickAt: null,
        lastHitAt: hit.at,
      };
      contacts.set(pair, contact);
    }
    if (open) contact[hit.machine ? 'machineOpens' : 'opens']++;
    else contact[hit.machine ? 'machineClicks' : 'clicks']++;
    if (Date.parse(hit.at) > Date.parse(contact.lastHitAt)) contact.lastHitAt = hit.at;
    if (hit.machine) continue;
    if (open) contact.firstOpenAt = earlier(contact.firstOpenAt, hit.at);
    else contact.firstClickAt = earlier(contact.firstClickAt, hit.at);
    const key = engagedKey(hit.campaignId, hit.contactId, hit.kind);
    if (engagedBefore.has(key) || firstInBatch.has(key)) continue;
    firstInBatch.add(key);
    counts[open ? 'uniqueOpens' : 'uniqueClicks']++;
  }
  return { campaigns, contacts: [...contacts.values()] };
}
