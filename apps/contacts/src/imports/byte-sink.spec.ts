import { BufferPool, ByteSink } from './byte-sink';

describe('ByteSink (R-C6: a batch’s text outside the heap)', () => {
  it('appends UTF-8 text past its first buffer and returns where each piece starts', () => {
    const sink = new ByteSink(8);
    const pieces = ['plain\t', 'Zoë\n', '東京', 'x'.repeat(100), '😀'];
    const starts = pieces.map((p) => sink.append(p));
    expect(sink.bytes().toString('utf8')).toBe(pieces.join(''));
    expect(starts).toEqual(pieces.map((_, i) => Buffer.byteLength(pieces.slice(0, i).join(''))));
  });

  it('lets a writer put a fixed number of bytes in place, growing first if needed', () => {
    const sink = new ByteSink(4);
    sink.append('ab');
    const at = sink.appendWith(5, (target, offset) => target.write('12345', offset, 'latin1'));
    sink.append('c');
    expect(at).toBe(2);
    expect(sink.bytes().toString()).toBe('ab12345c');
  });

  it('with a pool, takes its buffers from it and hands them back on release (grown ones too)', () => {
    const pool = new BufferPool();
    const first = new ByteSink(16, pool);
    first.append('a'.repeat(40)); // grows: the 16-byte buffer goes back at once
    const grownTo = first.bytes().buffer;
    first.release();
    const second = new ByteSink(16, pool);
    second.append('b');
    // The largest kept buffer fits and is reused rather than a new one allocated.
    expect(second.bytes().buffer).toBe(grownTo);
    expect(second.bytes().toString()).toBe('b');
  });

  it('keeps at most its cap of buffers and gives out only buffers that are large enough', () => {
    const pool = new BufferPool(2);
    const given = [Buffer.alloc(10), Buffer.alloc(20), Buffer.alloc(30)];
    for (const b of given) pool.give(b);
    expect(pool.take(15)).toBe(given[1]);
    expect(pool.take(5)).toBe(given[0]);
    const fresh = pool.take(5);
    expect(given).not.toContain(fresh);
    expect(fresh.length).toBeGreaterThanOrEqual(5);
  });
});
