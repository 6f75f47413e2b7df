/**
 * The recipient routes' limits (R-X6: per-IP and per-token limits; replays of one token within a minute count once),
 * as plain functions. The counting itself is one Redis script per request (recipient-limiter.ts), shared by every
 * replica of the region.
 */
import { createHmac } from 'node:crypto';
import type { Region } from '@missive/contracts';

/**
 * What a request may do: `record` its hit, or not — `replay` (the same open or click already counted in the replay
 * window) and `limited` (its IP or its token went over the per-minute rate). Whatever the verdict, the recipient
 * gets the same GIF, redirect or page (no oracle).
 */
export type RecipientVerdict = 'record' | 'replay' | 'limited';

export interface RecipientLimits {
  /** Requests a minute from one client IP; 0: no limit. */
  perIpPerMinute: number;
  /** Requests a minute for one token's subject; 0: no limit. */
  perTokenPerMinute: number;
  /** Replays within this many seconds count once; 0: every one counts. */
  replayWindowSeconds: number;
}

/** The counts of this request's window: its IP's, and its subject's (0 when it has none or was not counted). */
export interface RecipientCounts {
  ip: number;
  subject: number;
}

export function recipientVerdict(counts: RecipientCounts, limits: RecipientLimits): RecipientVerdict {
  if (limits.perIpPerMinute > 0 && counts.ip > limits.perIpPerMinute) return 'limited';
  if (limits.perTokenPerMinute > 0 && counts.subject > limits.perTokenPerMinute) return 'limited';
  if (limits.replayWindowSeconds > 0 && counts.subject > 1) return 'replay';
  return 'record';
}

/** With every limit off and every replay counted there is nothing to decide, and nothing to count in Redis. */
export function limitsOff(limits: RecipientLimits): boolean {
  return limits.perIpPerMinute === 0 && limits.perTokenPerMinute === 0 && limits.replayWindowSeconds === 0;
}

/** How long a subject's count lives: the replay window, or a minute (the per-token rate's) when there is none. */
export function subjectWindowSeconds(limits: RecipientLimits): number {
  return limits.replayWindowSeconds > 0 ? limits.replayWindowSeconds : 60;
}

/**
 * What one token stands for, the thing whose replays count once: a kind of request on one campaign's message to one
 * contact (and link). The machine flag is part of it: Apple's prefetch of a pixel must not swallow the person's own
 * open a few seconds later (R-K4 reports both).
 */
export interface RecipientSubject {
  region: Region;
  tenantId: string;
  /** e.g. `open`, `click`, `unsubscribe-page` */
  route: string;
  campaignId: string | null;
  contactId: string;
  linkIndex?: number;
  machine?: boolean;
}

/**
 * The subject's counter. Only a keyed digest of the tenant, campaign and contact is in the key, and it expires with
 * its window, so it holds nothing a purge must find (R-P2). It is deliberately not under the tenant's prefix: an old
 * pixel opened during a purge would otherwise leave a key there that the post-purge sweep reports as data that came
 * back (R-P6).
 */
export function subjectKey(subject: RecipientSubject, secret: string): string {
  const parts = [
    subject.tenantId,
    subject.route,
    subject.campaignId ?? '-',
    subject.contactId,
    subject.linkIndex ?? '-',
    subject.machine ? 'm' : 'h',
  ];
  const digest = createHmac('sha256', secret).update(parts.join(':')).digest('base64url').slice(0, 22);
  return `${subject.region.toLowerCase()}:rl:s:${digest}`;
}

/**
 * A client IP's counter. It belongs to no tenant, and only a keyed digest of the address is in Redis (R-K4: the full
 * IP is never stored), the same on every replica that shares the key.
 */
export function ipKey(region: Region, ip: string, secret: string): string {
  const digest = createHmac('sha256', secret).update(ip).digest('base64url').slice(0, 22);
  return `${region.toLowerCase()}:rl:ip:${digest}`;
}
