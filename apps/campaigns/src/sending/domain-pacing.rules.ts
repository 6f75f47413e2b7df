/**
 * Pacing per destination domain (R-S10): a 421 or 451 for one recipient slows that recipient's domain alone. The
 * domain is held for a backoff that doubles with each throttling answer (1 s up to 5 min); once it has passed, one
 * message goes as a probe while the others wait; its acceptance opens the domain again, another throttling answer
 * doubles the backoff. Plain functions, no clock of their own.
 */
export const DOMAIN_BACKOFF_MIN_MS = 1000;
export const DOMAIN_BACKOFF_MAX_MS = 5 * 60 * 1000;

export interface DomainThrottle {
  backoffMs: number;
  /** No message to the domain before this instant (ms since epoch). */
  until: number;
  /** A probe is out: the others wait for its answer. */
  probing: boolean;
}

/** `send`: the domain is open; `probe`: this message tests a domain whose backoff passed; `hold`: not now. */
export type PacingDecision = 'send' | 'probe' | 'hold';

export function pacingDecision(throttle: DomainThrottle | undefined, now: number): PacingDecision {
  if (!throttle) return 'send';
  if (now < throttle.until || throttle.probing) return 'hold';
  return 'probe';
}

/**
 * A throttling answer. Answers to messages that were already out when the domain was first held (still inside its
 * backoff) do not double it again: only one after the backoff passed (a probe's) does.
 */
export function afterThrottling(previous: DomainThrottle | undefined, now: number): DomainThrottle {
  if (previous && now < previous.until) return previous;
  const backoffMs = previous ? Math.min(previous.backoffMs * 2, DOMAIN_BACKOFF_MAX_MS) : DOMAIN_BACKOFF_MIN_MS;
  return { backoffMs, until: now + backoffMs, probing: false };
}

/** The destination domain of an address, lower-cased (the part after the last `@`). */
export function recipientDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
