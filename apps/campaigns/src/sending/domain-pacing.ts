import { afterThrottling, pacingDecision, type DomainThrottle, type PacingDecision } from './domain-pacing.rules';

/**
 * The throttled destination domains of this process (R-S10), by the rules of domain-pacing.rules.ts. Only throttled
 * domains are kept, and a domain is forgotten once it takes a message again. Per process: replicas learn a domain's
 * throttling each from its own answers.
 */
export class DomainPacing {
  private readonly throttled = new Map<string, DomainThrottle>();

  /** Whether a message to `domain` may go now; a `probe` must end with `throttledBy`, `accepted` or `released`. */
  decide(domain: string, now = Date.now()): PacingDecision {
    const throttle = this.throttled.get(domain);
    const decision = pacingDecision(throttle, now);
    if (decision === 'probe') throttle!.probing = true;
    return decision;
  }

  /** The domain answered 421 or 451: it is held for a longer backoff. */
  throttledBy(domain: string, now = Date.now()): void {
    this.throttled.set(domain, afterThrottling(this.throttled.get(domain), now));
  }

  /** The domain took a message: it is open again. */
  accepted(domain: string): void {
    this.throttled.delete(domain);
  }

  /** A probe ended without the domain's answer (skipped, failed for itself, relay failure): another may go. */
  released(domain: string): void {
    const throttle = this.throttled.get(domain);
    if (throttle) throttle.probing = false;
  }
}
