import { permitGroup } from './send-rate-limiter';

describe('permitGroup (R-S5: per-tenant send rate)', () => {
  it('R-S5: asks for at most a tenth of a second of the rate at once, and at least one permit', () => {
    expect(permitGroup(2000, 30)).toBe(30);
    expect(permitGroup(2000, 500)).toBe(200);
    expect(permitGroup(20, 30)).toBe(2);
    expect(permitGroup(5, 30)).toBe(1);
    expect(permitGroup(100, 3)).toBe(3);
  });
});
