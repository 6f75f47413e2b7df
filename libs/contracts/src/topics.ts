import { REGIONS, regionPrefix, type Region } from './region';

/**
 * The registry of every event type that crosses a service boundary. Each becomes one topic per region,
 * `na.<domain>.<event>` and `eea.<domain>.<event>` (R-T2), created by the project with these partition counts.
 */
export interface TopicSpec {
  /** `<domain>.<event>` */
  event: string;
  partitions: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Retention keeps even ciphertext under the two-week rule (R-P2): Kafka deletes only closed segments, so the
 * oldest record can live retention + one segment roll = 12 + 1 = 13 days, under 14.
 */
export const TOPIC_RETENTION_MS = 12 * DAY_MS;
export const TOPIC_SEGMENT_MS = 1 * DAY_MS;

export const TOPICS: readonly TopicSpec[] = [
  { event: 'platform.probe', partitions: 3 },
  { event: 'tenant.changed', partitions: 3 },
  { event: 'tenant.api-key-revoked', partitions: 1 },
  { event: 'tenant.notice-issued', partitions: 1 },
  { event: 'contact.changed', partitions: 6 },
  { event: 'contact.erased', partitions: 6 },
  { event: 'contact.opt-in-confirmed', partitions: 6 },
  { event: 'suppression.changed', partitions: 6 },
  { event: 'campaign.links-registered', partitions: 3 },
  { event: 'delivery.recorded', partitions: 6 },
  { event: 'tracking.hit', partitions: 6 },
  { event: 'campaign.engagement-counted', partitions: 6 },
  { event: 'tracking.contact-engaged', partitions: 6 },
  { event: 'unsubscribe.recorded', partitions: 6 },
  { event: 'privacy.request-referred', partitions: 3 },
  { event: 'import.finished', partitions: 3 },
  { event: 'campaign.finished', partitions: 3 },
];

export function topicName(region: Region, event: string): string {
  return `${regionPrefix(region)}.${event}`;
}

/** Parses `na.contact.changed` back into its region and event type; null for a foreign topic. */
export function parseTopic(topic: string): { region: Region; event: string } | null {
  const dot = topic.indexOf('.');
  if (dot < 0) return null;
  const prefix = topic.slice(0, dot);
  const region = REGIONS.find((r) => regionPrefix(r) === prefix);
  return region ? { region, event: topic.slice(dot + 1) } : null;
}

export function allTopicNames(): string[] {
  return REGIONS.flatMap((region) => TOPICS.map((t) => topicName(region, t.event)));
}
