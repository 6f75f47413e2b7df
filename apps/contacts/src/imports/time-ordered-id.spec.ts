import { timeOrderedId, writeTimeOrderedId } from './time-ordered-id';

describe('timeOrderedId', () => {
  it('is an RFC 9562 version-7 UUID whose first 48 bits are the milliseconds', () => {
    const at = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time and does not repeat', () => {
    const ids = Array.from({ length: 50000 }, (_, i) => timeOrderedId(1_700_000_000_000 + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    const prefixes = ids.map((id) => id.slice(0, 13));
    expect([...prefixes].sort()).toEqual(prefixes);
  });

  it('is written as ASCII bytes in place, between whatever is around it', () => {
    const at = Date.UTC(2026, 11, 5, 12, 0, 0, 7);
    const target = Buffer.from(`[${'.'.repeat(36)}]`, 'latin1');
    writeTimeOrderedId(target, 1, at);
    const text = target.toString('latin1');
    expect(text).toMatch(/^\[[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\]$/);
    expect(text.slice(1, 14)).toBe(timeOrderedId(at).slice(0, 13));
  });
});
