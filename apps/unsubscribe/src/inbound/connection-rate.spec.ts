import { ConnectionRate } from './connection-rate';

describe('R-X6: inbound SMTP connections per client address', () => {
  it('admits the allowance in a window, refuses the rest, and admits again in the next window', () => {
    let now = 0;
    const rate = new ConnectionRate(3, 60_000, 100, () => now);
    expect([1, 2, 3, 4, 5].map(() => rate.admit('192.0.2.1'))).toEqual([true, true, true, false, false]);
    expect(rate.admit('192.0.2.2')).toBe(true);
    now = 60_000;
    expect(rate.admit('192.0.2.1')).toBe(true);
  });

  it('tracks a bounded number of addresses, dropping ended windows first', () => {
    let now = 0;
    const rate = new ConnectionRate(1, 1000, 3, () => now);
    for (const a of ['a', 'b', 'c']) rate.admit(a);
    now = 2000;
    rate.admit('d');
    expect(rate.size).toBe(1);
    for (const a of ['e', 'f', 'g', 'h']) rate.admit(a);
    expect(rate.size).toBe(3);
    // The address whose window is still open keeps its count.
    expect(rate.admit('h')).toBe(false);
  });
});
