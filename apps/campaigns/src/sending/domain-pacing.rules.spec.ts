import {
  afterThrottling,
  DOMAIN_BACKOFF_MAX_MS,
  DOMAIN_BACKOFF_MIN_MS,
  pacingDecision,
  recipientDomain,
} from './domain-pacing.rules';

describe('domain pacing (R-S10)', () => {
  it('R-S10: an open domain sends; a throttled one holds until its backoff passed, then sends one probe', () => {
    expect(pacingDecision(undefined, 0)).toBe('send');
    const throttled = afterThrottling(undefined, 1000);
    expect(throttled).toEqual({
      backoffMs: DOMAIN_BACKOFF_MIN_MS,
      until: 1000 + DOMAIN_BACKOFF_MIN_MS,
      probing: false,
    });
    expect(pacingDecision(throttled, 1500)).toBe('hold');
    expect(pacingDecision(throttled, 2000)).toBe('probe');
    expect(pacingDecision({ ...throttled, probing: true }, 2000)).toBe('hold');
  });

  it('R-S10: each throttling answer doubles the backoff, up to 5 minutes', () => {
    let state = afterThrottling(undefined, 0);
    const backoffs = [state.backoffMs];
    for (let i = 0; i < 12; i += 1) {
      state = afterThrottling(state, state.until);
      backoffs.push(state.backoffMs);
    }
    expect(backoffs.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...backoffs)).toBe(DOMAIN_BACKOFF_MAX_MS);
  });

  it('R-S10: answers to messages already out when the domain was held do not double its backoff', () => {
    const first = afterThrottling(undefined, 0);
    expect(afterThrottling(first, 10)).toBe(first);
    expect(afterThrottling(first, first.until).backoffMs).toBe(2 * DOMAIN_BACKOFF_MIN_MS);
  });

  it('the domain is the part after the last @, lower-cased', () => {
    expect(recipientDomain('Anna@Mail.Example.COM')).toBe('mail.example.com');
    expect(recipientDomain('"a@b"@example.org')).toBe('example.org');
  });
});
