import { Readable } from 'node:stream';
import { frameRecords, type FramedRecord } from './record-framer';

async function frame(input: string | Buffer, chunkSize = 7, quoted = true, max = 64) {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: (FramedRecord & { text?: string })[] = [];
  for await (const chunk of frameRecords(Readable.from(chunks), { quoted, maxRecordBytes: max })) {
    for (const r of chunk.records) out.push(r.bad ? r : { ...r, text: chunk.buf.toString('utf8', r.start, r.stop) });
  }
  return out.map((r) =>
    r.bad ? { line: r.line, end: r.end, bad: r.bad } : { line: r.line, end: r.end, text: r.text },
  );
}

describe('frameRecords (R-C6: one bad row never fails the others)', () => {
  it.each([1, 3, 7, 1000])(
    'cuts CSV records with quoted line breaks, whatever the chunking (%i-byte chunks)',
    async (size) => {
      const out = await frame('a,b\n1,"x\ny"\n\n3,"q""q"\r\n4,5', size);
      expect(out).toEqual([
        { line: 1, end: 4, text: 'a,b' },
        { line: 2, end: 12, text: '1,"x\ny"' },
        { line: 5, end: 23, text: '3,"q""q"\r' },
        { line: 6, end: 26, text: '4,5' },
      ]);
    },
  );

  it('R-C6: broken quoting costs one line, the next rows survive', async () => {
    const out = await frame('a,b\n1,"x"y\n3,4\n5,"never closed\n7,8\n');
    expect(out.map((r) => [r.line, r.text ?? r.bad])).toEqual([
      [1, 'a,b'],
      [2, 'broken CSV quoting: a closing quote must end the field'],
      [3, '3,4'],
      [4, 'broken CSV quoting: a quoted field is never closed'],
      [5, '7,8'],
    ]);
  });

  it('R-C6: a record over the limit is reported and skipped without being held, then framing goes on', async () => {
    const out = await frame(`a\n${'x'.repeat(500)}\nb\n"${'y'.repeat(100)}\nc\n`, 16);
    expect(out.map((r) => [r.line, r.text ?? r.bad])).toEqual([
      [1, 'a'],
      [2, expect.stringContaining('larger than')],
      [3, 'b'],
      [4, expect.stringContaining('larger than')],
      [5, 'c'],
    ]);
    expect(out[4].end).toBe(2 + 501 + 2 + 102 + 2);
  });

  it('flags records that are not UTF-8 and skips a byte-order mark', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('a\nb'),
      Buffer.from([0xff]),
      Buffer.from('\nc\n'),
    ]);
    const records: FramedRecord[] = [];
    for await (const c of frameRecords(Readable.from([bytes]), { quoted: true, maxRecordBytes: 64 }))
      records.push(...c.records);
    expect(records.map((r) => [r.line, !!r.notUtf8])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });

  it('NDJSON: quotes mean nothing, every line is a record; offsets let a resumed run start mid-file', async () => {
    const out = await frame('{"a":"\\""}\n{"b":1}\n', 5, false);
    expect(out).toEqual([
      { line: 1, end: 11, text: '{"a":"\\""}' },
      { line: 2, end: 19, text: '{"b":1}' },
    ]);
    const resumed: FramedRecord[] = [];
    for await (const c of frameRecords(Readable.from([Buffer.from('{"b":1}\n')]), {
      quoted: false,
      maxRecordBytes: 64,
      startOffset: 11,
      startLine: 2,
    }))
      resumed.push(...c.records);
    expect(resumed.map((r) => [r.line, r.end])).toEqual([[2, 19]]);
  });
});
