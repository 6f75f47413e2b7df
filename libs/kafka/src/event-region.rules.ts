import type { EventEnvelope, Region } from '@missive/contracts';

export type EventRegionVerdict = { accept: true } | { accept: false; reason: 'region_mismatch' };

/**
 * R-T2: a region's topics carry only its tenants' events, so a consumer drops an event whose envelope names
 * another region (or none): handling it would write another region's data into this region's database.
 */
export function eventRegionVerdict(topicRegion: Region, envelope: Pick<EventEnvelope, 'region'>): EventRegionVerdict {
  return envelope.region === topicRegion ? { accept: true } : { accept: false, reason: 'region_mismatch' };
}
