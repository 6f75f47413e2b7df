import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HitSpool } from './hit-spool';

describe(HitSpool.name, () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hit-spool-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('R-K5: appended lines are on disk and replayable once the segment is closed; the open one is not offered', async () => {
    const spool = new HitSpool(root, 'me');
    await spool.append(['{"a":1}', '{"a":2}']);
    expect(await spool.closedSegments()).toEqual([]);
    await spool.closeCurrent();
    await spool.append(['{"a":3}']);
    const [first, ...rest] = await spool.closedSegments();
    expect(rest).toEqual([]);
    expect(await spool.read(first)).toEqual(['{"a":1}', '{"a":2}']);
    await spool.remove(first);
    await spool.close();
    const [second] = await spool.closedSegments();
    expect(await spool.read(second)).toEqual(['{"a":3}']);
  });

  it('R-K5: a replayer running beside the appends (closing, reading, removing segments) loses no line', async () => {
    // The replay reads and deletes what closedSegments offers; a segment offered while an append was still opening
    // it was deleted under the append, and the append's lines went to an unlinked file.
    const spool = new HitSpool(root, 'me');
    const replayed: string[] = [];
    let appending = true;
    const replayer = (async () => {
      while (appending) {
        await spool.closeCurrent();
        for (const path of await spool.closedSegments()) {
          replayed.push(...(await spool.read(path)));
          await spool.remove(path);
        }
      }
    })();
    const appended: string[] = [];
    // Appends queue behind one another as concurrent requests' batches do, so one is always opening a segment.
    for (let round = 0; round < 100; round++) {
      const appends: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) {
        const lines = [`{"r":${round},"i":${i},"k":0}`, `{"r":${round},"i":${i},"k":1}`];
        appended.push(...lines);
        appends.push(spool.append(lines));
      }
      await Promise.all(appends);
    }
    appending = false;
    await replayer;
    await spool.close();
    for (const path of await spool.closedSegments()) replayed.push(...(await spool.read(path)));
    expect(replayed.sort()).toEqual(appended.sort());
  });

  it('R-K5: a torn last line (a crash mid-append, never acknowledged) is skipped', async () => {
    const spool = new HitSpool(root, 'me');
    await spool.append(['{"a":1}']);
    await spool.close();
    const [segment] = await spool.closedSegments();
    appendFileSync(segment, '{"a":2, "tor');
    expect(await spool.read(segment)).toEqual(['{"a":1}']);
  });

  it('R-K5: adopts the segments of another instance once nobody has written to them for 30 s', async () => {
    mkdirSync(join(root, 'old-process'));
    const stale = join(root, 'old-process', '000000000000001-1.ndjson');
    const fresh = join(root, 'old-process', '000000000000002-1.ndjson');
    writeFileSync(stale, '{"a":1}\n');
    writeFileSync(fresh, '{"a":2}\n');
    const past = new Date(Date.now() - 60000);
    utimesSync(stale, past, past);

    const spool = new HitSpool(root, 'me');
    const segments = await spool.closedSegments();
    expect(segments).toHaveLength(1);
    expect(segments[0]).toContain(join(root, 'me'));
    expect(await spool.read(segments[0])).toEqual(['{"a":1}']);
    expect(readdirSync(join(root, 'old-process'))).toEqual(['000000000000002-1.ndjson']);
  });

  it('R-K5, R-X6: segments left where the spool used to be (among the tenant folders) are adopted into its own folder', async () => {
    const former = join(root, 'data', 'na', 'spool', 'tracking');
    mkdirSync(join(former, 'old-process'), { recursive: true });
    const left = join(former, 'old-process', '000000000000001-1.ndjson');
    writeFileSync(left, '{"a":1}\n');
    const past = new Date(Date.now() - 60000);
    utimesSync(left, past, past);

    const spool = new HitSpool(join(root, 'spool', 'na', 'tracking'), 'me', [former]);
    const segments = await spool.closedSegments();
    expect(segments).toHaveLength(1);
    expect(segments[0]).toContain(join(root, 'spool', 'na', 'tracking', 'me'));
    expect(await spool.read(segments[0])).toEqual(['{"a":1}']);
    expect(readdirSync(former)).toEqual([]);
  });
});
