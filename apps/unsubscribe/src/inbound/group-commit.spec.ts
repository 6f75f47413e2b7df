import { GroupCommit } from './group-commit';

/** A write that the test finishes by hand, recording what each call got. */
function manualWrites() {
  const calls: { key: string; items: number[]; finish: (error?: Error) => void }[] = [];
  const write = (key: string, items: number[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ key, items, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit (R-S8: a DSN answered 250 only once its batch committed)', () => {
  it('R-S8: a quiet key writes at once; what arrives meanwhile goes together in the next write', async () => {
    const { calls, write } = manualWrites();
    const commits = new GroupCommit(write, 100);
    const settled: number[] = [];
    const first = commits.submit('t1', [1]).then(() => settled.push(1));
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => commits.submit('t1', [n]).then(() => settled.push(n)));
    await tick();
    expect(calls).toHaveLength(1); // one write per key at a time
    calls[0].finish();
    await first;
    expect(settled).toEqual([1]);
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1].finish();
    await Promise.all(later);
    expect(settled).toEqual([1, 2, 3, 4]);
  });

  it('R-S8: keys do not wait for each other', async () => {
    const { calls, write } = manualWrites();
    const commits = new GroupCommit(write, 100);
    void commits.submit('t1', [1]);
    void commits.submit('t2', [2]);
    expect(calls.map((c) => [c.key, c.items])).toEqual([
      ['t1', [1]],
      ['t2', [2]],
    ]);
  });

  it('R-S8: a failed write rejects every submission in it, and the next batch still goes', async () => {
    const { calls, write } = manualWrites();
    const commits = new GroupCommit(write, 100);
    const a = commits.submit('t1', [1]);
    const b = commits.submit('t1', [2]);
    const c = commits.submit('t1', [3]);
    calls[0].finish(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    calls[1].finish(new Error('still down'));
    await expect(b).rejects.toThrow('still down');
    await expect(c).rejects.toThrow('still down');
    void commits.submit('t1', [4]);
    expect(calls.at(-1)?.items).toEqual([4]);
  });

  it('R-S8: a write takes whole submissions up to maxItems; a larger single one still goes whole', async () => {
    const { calls, write } = manualWrites();
    const commits = new GroupCommit(write, 3);
    void commits.submit('t1', [0]);
    for (const items of [[1, 2], [3, 4], [5], [6, 7, 8, 9]]) void commits.submit('t1', items);
    calls[0].finish();
    await tick();
    calls[1].finish();
    await tick();
    calls[2].finish();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[0], [1, 2], [3, 4, 5], [6, 7, 8, 9]]);
  });
});
