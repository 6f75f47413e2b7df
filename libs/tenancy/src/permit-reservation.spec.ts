import { permitChunk, permitsGranted } from './rate-limit.rules';

describe('R-X2: per-tenant rate limit, permits reserved from Redis in chunks', () => {
  it('R-X2: small limits reserve one permit at a time (exact); larger ones a twentieth, a hundred at most', () => {
    expect(permitChunk(5)).toBe(1);
    expect(permitChunk(39)).toBe(1);
    expect(permitChunk(100)).toBe(5);
    expect(permitChunk(1000000)).toBe(100);
  });

  it('R-X2: an instance gets only the permits of its chunk that fit under the limit', () => {
    expect(permitsGranted(10, 10, 100)).toBe(10);
    expect(permitsGranted(105, 10, 100)).toBe(5);
    expect(permitsGranted(110, 10, 100)).toBe(0);
    expect(permitsGranted(6, 1, 5)).toBe(0);
  });

  it('R-X2: however instances interleave, no more than the limit is granted in a window', () => {
    const limit = 100;
    const chunk = permitChunk(limit);
    let total = 0;
    let granted = 0;
    for (let i = 0; i < 50; i++) {
      total += chunk;
      granted += permitsGranted(total, chunk, limit);
    }
    expect(granted).toBe(limit);
  });
});
