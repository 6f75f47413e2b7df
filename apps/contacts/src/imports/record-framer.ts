import { isUtf8 } from 'node:buffer';

/** One record of an import file: where it is, and whether it could be cut out cleanly. */
export interface FramedRecord {
  /** Line number in the file where the record starts (1-based; a CSV header is line 1). */
  line: number;
  /** Byte offset just after the record, and the line number there: a resumed import starts from both (R-C6). */
  end: number;
  nextLine: number;
  /** For a good record: its bytes are `chunk.buf.subarray(start, stop)` (without the line break). */
  start: number;
  stop: number;
  /** Why the record could not be framed (it is then not in `buf`). */
  bad?: string;
  /** The record's bytes are not valid UTF-8 (decoded values then hold U+FFFD). */
  notUtf8?: boolean;
  /** The record holds a double quote (CSV): it needs a real CSV parser; others are plain comma-separated. */
  quoted?: boolean;
}

/** A run of consecutive good records (`buf`, whole records only) and every record seen, good or bad, in order. */
export interface FramedChunk {
  buf: Buffer;
  records: FramedRecord[];
}

export interface FramerOptions {
  /** CSV: double quotes may wrap fields that span lines. NDJSON: every line break ends a record. */
  quoted: boolean;
  maxRecordBytes: number;
  /** Where the stream starts in the file, and the line number there (a resumed import starts mid-file). */
  startOffset?: number;
  startLine?: number;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

type Scan = { kind: 'ok'; end: number; lines: number } | { kind: 'more' } | { kind: 'bad'; reason: string };

/** Walks one quoted CSV record from `pos` (RFC 4180 quoting; a stray quote inside an unquoted field is data). */
function scanQuoted(buf: Buffer, pos: number): Scan {
  let inQuotes = false;
  let fieldStart = true;
  let lines = 0;
  let i = pos;
  while (i < buf.length) {
    const c = buf[i];
    if (inQuotes) {
      if (c === QUOTE) {
        if (i + 1 >= buf.length) return { kind: 'more' };
        if (buf[i + 1] === QUOTE) {
          i += 2;
          continue;
        }
        inQuotes = false;
        i += 1;
        const next = buf[i];
        if (next !== COMMA && next !== LF && next !== CR) {
          return { kind: 'bad', reason: 'broken CSV quoting: a closing quote must end the field' };
        }
        continue;
      }
      if (c === LF) lines += 1;
      i += 1;
      continue;
    }
    if (c === LF) return { kind: 'ok', end: i, lines };
    if (c === QUOTE && fieldStart) {
      inQuotes = true;
      fieldStart = false;
    } else {
      fieldStart = c === COMMA;
    }
    i += 1;
  }
  return { kind: 'more' };
}

/**
 * Cuts a byte stream into records without ever holding more than one record (at most `maxRecordBytes`) beyond
 * the current chunk, so a 200 MB file streams in constant memory (R-C6). A record that cannot be cut cleanly —
 * broken quoting, or larger than the limit — becomes one bad record for its first physical line and framing
 * resumes at the next line, so one bad row never takes the following ones with it. Good records are handed on
 * in whole-record runs, which a CSV parser can take without ever seeing the damage.
 */
export async function* frameRecords(
  source: AsyncIterable<Buffer>,
  options: FramerOptions,
): AsyncGenerator<FramedChunk> {
  const max = options.maxRecordBytes;
  let line = options.startLine ?? 1;
  let carry: Buffer | null = null;
  let base = options.startOffset ?? 0;
  let skippingFrom: number | null = null;
  let atFileStart = base === 0;

  function frame(buf: Buffer, final: boolean): { chunk: FramedChunk; consumed: number } {
    const records: FramedRecord[] = [];
    const runs: Buffer[] = [];
    let runLength = 0;
    let pos = 0;
    let runStart = 0;
    let runFirstRecord = 0;
    let nextQuote = -1;

    const flushRun = (until: number) => {
      if (until > runStart) {
        const run = buf.subarray(runStart, until);
        if (!isUtf8(run)) {
          for (let r = runFirstRecord; r < records.length; r++) {
            const rec = records[r];
            if (!rec.bad && !isUtf8(buf.subarray(rec.start, rec.stop))) rec.notUtf8 = true;
          }
        }
        for (let r = runFirstRecord; r < records.length; r++) {
          const rec = records[r];
          if (rec.bad) continue;
          rec.start = rec.start - runStart + runLength;
          rec.stop = rec.stop - runStart + runLength;
        }
        runs.push(run);
        runLength += run.length;
      }
      runFirstRecord = records.length;
    };
    const badLine = (from: number, reason: string): boolean => {
      flushRun(from);
      const nl = buf.indexOf(LF, from);
      if (nl < 0) {
        skippingFrom = line;
        pos = buf.length;
        runStart = pos;
        return false;
      }
      records.push({ line, end: base + nl + 1, nextLine: line + 1, start: 0, stop: 0, bad: reason });
      runFirstRecord = records.length;
      line += 1;
      pos = nl + 1;
      runStart = pos;
      return true;
    };

    if (skippingFrom !== null) {
      const nl = buf.indexOf(LF);
      if (nl < 0) return { chunk: { buf: Buffer.alloc(0), records }, consumed: buf.length };
      records.push({
        line: skippingFrom,
        end: base + nl + 1,
        nextLine: line + 1,
        start: 0,
        stop: 0,
        bad: tooLarge(max),
      });
      skippingFrom = null;
      line += 1;
      pos = nl + 1;
      runStart = pos;
      runFirstRecord = 1;
    }
    if (atFileStart && buf.length >= 3) {
      atFileStart = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = runStart = 3;
    }

    while (pos < buf.length) {
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) break;
      if (options.quoted && nextQuote < pos && nextQuote !== buf.length) {
        nextQuote = buf.indexOf(QUOTE, pos);
        if (nextQuote < 0) nextQuote = buf.length;
      }
      if (!options.quoted || nextQuote > nl) {
        if (nl === pos || (nl === pos + 1 && buf[pos] === CR)) {
          flushRun(pos);
          line += 1;
          pos = runStart = nl + 1;
          continue;
        }
        if (nl - pos >= max) {
          badLine(pos, tooLarge(max));
          continue;
        }
        records.push({ line, end: base + nl + 1, nextLine: line + 1, start: pos, stop: nl });
        line += 1;
        pos = nl + 1;
        continue;
      }
      const scan = scanQuoted(buf, pos);
      if (scan.kind === 'ok') {
        if (scan.end - pos >= max) {
          badLine(pos, tooLarge(max));
          continue;
        }
        records.push({
          line,
          end: base + scan.end + 1,
          nextLine: line + 1 + scan.lines,
          start: pos,
          stop: scan.end,
          quoted: true,
        });
        line += 1 + scan.lines;
        pos = scan.end + 1;
        continue;
      }
      if (scan.kind === 'bad') {
        badLine(pos, scan.reason);
        continue;
      }
      // An open quote reaching past what we hold: wait for more, unless the record is already too large.
      if (!final && buf.length - pos < max) break;
      badLine(pos, final ? 'broken CSV quoting: a quoted field is never closed' : tooLarge(max));
    }
    flushRun(pos);
    const out = runs.length === 1 ? runs[0] : Buffer.concat(runs, runLength);
    return { chunk: { buf: out, records }, consumed: pos };
  }

  for await (const data of source) {
    const buf: Buffer = carry ? Buffer.concat([carry, data]) : data;
    const { chunk, consumed } = frame(buf, false);
    base += consumed;
    carry = consumed < buf.length ? Buffer.from(buf.subarray(consumed)) : null;
    if (skippingFrom === null && carry && carry.length >= max && carry.indexOf(LF) < 0) {
      // One line already longer than the limit: drop its bytes as they come and report it once it ends.
      skippingFrom = line;
      base += carry.length;
      carry = null;
    }
    if (chunk.records.length > 0) yield chunk;
  }
  if (skippingFrom !== null) {
    const record = { line: skippingFrom, end: base, nextLine: line + 1, start: 0, stop: 0, bad: tooLarge(max) };
    yield { buf: Buffer.alloc(0), records: [record] };
    return;
  }
  if (carry && carry.length > 0) {
    // The last record has no line break: frame it as if it had one.
    const { chunk } = frame(Buffer.concat([carry, Buffer.from('\n')]), true);
    for (const r of chunk.records) r.end = Math.min(r.end, base + carry.length);
    if (chunk.records.length > 0) yield chunk;
  }
}

function tooLarge(max: number): string {
  return `is larger than ${Math.round(max / 1024)} KB, the limit for one record`;
}
