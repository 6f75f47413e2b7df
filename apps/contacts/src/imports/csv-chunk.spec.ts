import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { parseCsvChunk } from './csv-chunk';
import { frameRecords } from './record-framer';

/** The framer and chunk parser over `bytes` fed in the given piece sizes, as the import reads a file. */
async function frameAndParse(bytes: Buffer, pieceSizes: number[], quoted: boolean): Promise<string[][]> {
  const pieces: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = pieceSizes.length > 0 ? pieceSizes[i % pieceSizes.length] : bytes.length;
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  async function* source() {
    yield* pieces;
  }
  const rows: string[][] = [];
  for await (const chunk of frameRecords(source(), { quoted, maxRecordBytes: 64 * 1024 })) {
    if (quoted) {
      const parsed = parseCsvChunk(chunk);
      parsed.forEach((values) => rows.push(values ?? ['<refused>']));
      for (const r of chunk.records) if (r.bad) rows.push([`<bad: ${r.bad}>`]);
    } else {
      for (const r of chunk.records) rows.push([r.bad ? '<bad>' : chunk.buf.toString('utf8', r.start, r.stop)]);
    }
  }
  return rows;
}

/** A field as a spreadsheet or script writes it: plain, or quoted with doubled quotes when it needs to be. */
const plainField = fc.stringMatching(/^[a-zA-Z0-9 .@_-]{0,6}$/);
const awkwardField = fc
  .array(fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', 'é', '𝄞', '用', ';', "'"), { maxLength: 6 })
  .map((parts) => parts.join(''));
const field = fc.oneof({ arbitrary: plainField, weight: 3 }, { arbitrary: awkwardField, weight: 1 });

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const csvFile = fc.record({
  rows: fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
  lineBreak: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  finalBreak: fc.boolean(),
  pieceSizes: fc.array(fc.integer({ min: 1, max: 17 }), { maxLength: 5 }),
});

describe('CSV framing and parsing, differential against csv-parse (R-C6)', () => {
  it('(property) quotes, CRLF, a BOM and multi-byte characters split across chunks read as csv-parse reads them', async () => {
    await fc.assert(
      fc.asyncProperty(csvFile, async ({ rows, lineBreak, bom, finalBreak, pieceSizes }) => {
        const text = rows.map((r) => r.map(csvField).join(',')).join(lineBreak) + (finalBreak ? lineBreak : '');
        const bytes = Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text)]);
        const expected = parse(bytes, {
          bom: true,
          relax_column_count: true,
          record_delimiter: ['\r\n', '\n'],
          skip_empty_lines: true,
        }) as string[][];
        expect(await frameAndParse(bytes, pieceSizes, true)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads an unquoted CRLF file (the common spreadsheet export) without a trailing carriage return', async () => {
    const bytes = Buffer.from('email,firstName\r\na@example.com,Ann\r\nb@example.com,Bo\r\n');
    expect(await frameAndParse(bytes, [5], true)).toEqual([
      ['email', 'firstName'],
      ['a@example.com', 'Ann'],
      ['b@example.com', 'Bo'],
    ]);
  });
});

describe('NDJSON framing, differential against splitting the text (R-C6)', () => {
  it('(property) every line of JSON with multi-byte characters split across chunks comes out whole', async () => {
    const value = fc.record({ email: fc.emailAddress(), name: fc.string({ unit: 'grapheme', maxLength: 6 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(value, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.integer({ min: 1, max: 13 }), { maxLength: 5 }),
        async (values, lineBreak, pieceSizes) => {
          const lines = values.map((v) => JSON.stringify(v));
          const bytes = Buffer.from(lines.join(lineBreak) + lineBreak);
          const framed = await frameAndParse(bytes, pieceSizes, false);
          expect(framed.map(([line]) => JSON.parse(line) as unknown)).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });
});
