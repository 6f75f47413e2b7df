import { binaryCopyRows } from './binary-copy';

/** Binary COPY output as PostgreSQL writes it, for rows of text fields (null for NULL). */
function copyOutput(rows: (string | null)[][], extension = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(extension.length), extension];
  for (const row of rows) {
    parts.push(int16(row.length));
    for (const field of row) {
      if (field === null) parts.push(int32(-1));
      else parts.push(int32(Buffer.byteLength(field)), Buffer.from(field));
    }
  }
  parts.push(int16(-1));
  return Buffer.concat(parts);
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

describe('binaryCopyRows (the outbox relay reads payloads as bytes, R-X5)', () => {
  it('gives each field its bytes, null for NULL, empty for an empty string, across a header extension', () => {
    const rows = [
      ['1', 'na.contact.changed', null, '{"a":"é\\"\\\\\\t"}'],
      ['2', 'na.tracking.hit', '', '{}'],
    ];
    const parsed = binaryCopyRows(copyOutput(rows, Buffer.from('ext!')));
    expect(parsed.map((row) => row.map((field) => (field === null ? null : field.toString('utf8'))))).toEqual(rows);
  });

  it('reads no rows from an empty result', () => {
    expect(binaryCopyRows(copyOutput([]))).toEqual([]);
  });

  it('refuses what is not binary COPY output, and output cut short', () => {
    expect(() => binaryCopyRows(Buffer.from('1\tna.contact.changed\n'))).toThrow('not the output of a binary COPY');
    const whole = copyOutput([['1', 'payload']]);
    expect(() => binaryCopyRows(whole.subarray(0, whole.length - 4))).toThrow('inside a field');
    expect(() => binaryCopyRows(whole.subarray(0, whole.length - 2))).toThrow('without its trailer');
  });
});
