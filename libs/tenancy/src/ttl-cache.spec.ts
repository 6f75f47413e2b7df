import { TtlCache } from './ttl-cache';

describe(TtlCache.name, () => {
  it('forgets an entry after its TTL', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(10, 1000, () => now);
    cache.set('a', 1);
    now = 999;
    expect(cache.get('a')).toBe(1);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the oldest insertion past its size', () => {
    const cache = new TtlCache<string, number>(2, 60000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('removes every entry matching a predicate', () => {
    const cache = new TtlCache<string, { tenant: string }>(10, 60000);
    cache.set('k1', { tenant: 't1' });
    cache.set('k2', { tenant: 't1' });
    cache.set('k3', { tenant: 't2' });
    expect(cache.deleteWhere((v) => v.tenant === 't1')).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('a key read over and over stays cached and keeps its value, among 10,000 others', () => {
    // How fast a hit is belongs to the auth-cost bench, not to a timed unit test on a shared machine.
    const cache = new TtlCache<string, number>(20000, 60000);
    for (let i = 0; i < 10000; i++) cache.set(`k${i}`, i);
    for (let i = 0; i < 100000; i++) expect(cache.get('k5000')).toBe(5000);
    expect(cache.size).toBe(10000);
  });
});
