import { rateLimitKey, retryAfterSeconds } from './rate-limit.rules';

describe('rate limit rules', () => {
  it('R-X2, R-P2: the counter key is per region, tenant and one-second window', () => {
    const tenant = '4b0c7f52-0d3e-4c36-9a8e-0a1f4f1c2d3e';
    expect(rateLimitKey('NA', tenant, 1_700_000_000_123)).toBe(`na:t:${tenant}:rl:1700000000`);
    expect(rateLimitKey('EEA', tenant, 1_700_000_000_999)).toBe(`eea:t:${tenant}:rl:1700000000`);
    expect(rateLimitKey('NA', tenant, 1_700_000_001_000)).toBe(`na:t:${tenant}:rl:1700000001`);
  });

  it('R-X2: Retry-After is a whole number of seconds, at least 1', () => {
    expect(retryAfterSeconds(1_700_000_000_000)).toBe(1);
    expect(retryAfterSeconds(1_700_000_000_999)).toBe(1);
  });
});
