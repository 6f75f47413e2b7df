import { parse as parseCsv, type Options as CsvOptions } from 'csv-parse/sync';
import type { FramedChunk } from './record-framer';

const CSV_OPTIONS: CsvOptions = {
  relax_quotes: true,
  relax_column_count: true,
  record_delimiter: ['\r\n', '\n'],
  skip_empty_lines: false,
  bom: false,
};

const NEWLINE = Buffer.from('\n');
const CR = 13;

/**
 * The fields of a framed chunk's good CSV records (`frameRecords`), in order; null for a record csv-parse refuses.
 * Records holding a double quote go through csv-parse (all of a chunk's in one call); a record without any quote
 * is, by the CSV grammar, its line split at the commas, which is an order of magnitude faster than any general
 * parser — the common case of a machine-written export. Used by contact and suppression imports alike.
 */
export function parseCsvChunk(chunk: FramedChunk): (string[] | null)[] {
  const good = chunk.records.filter((r) => !r.bad);
  const quoted = good.filter((r) => r.quoted);
  let parsedQuoted: (string[] | null)[] = [];
  if (quoted.length > 0) {
    const joined = Buffer.concat(quoted.flatMap((r) => [chunk.buf.subarray(r.start, r.stop), NEWLINE]));
    try {
      const records = parseCsv(joined, CSV_OPTIONS) as string[][];
      if (records.length === quoted.length) parsedQuoted = records;
    } catch {
      // one record at a time below
    }
    if (parsedQuoted.length !== quoted.length)
      parsedQuoted = quoted.map((r) => parseOne(chunk.buf.subarray(r.start, r.stop)));
  }
  let q = 0;
  return good.map((r) => {
    if (r.quoted) return parsedQuoted[q++];
    let end = r.stop;
    if (end > r.start && chunk.buf[end - 1] === CR) end -= 1;
    return chunk.buf.toString('utf8', r.start, end).split(',');
  });
}

function parseOne(record: Buffer): string[] | null {
  try {
    const [values] = parseCsv(record, CSV_OPTIONS) as string[][];
    return values ?? [];
  } catch {
    return null;
  }
}
