import { createReadStream } from 'node:fs';
import type { ContactPersonalFieldsV1, Region } from '@missive/contracts';
import {
  type ContactData,
  type LawfulBasis,
  type MinimumAges,
  type TenantFacts,
  readDoubleOptIn,
  validateContactInput,
} from '@missive/contact-domain';
import { textSafetyDetails } from '@missive/http';
import { ByteSink, type BufferPool } from './byte-sink';
import { copyLine } from './copy-text';
import { parseCsvChunk } from './csv-chunk';
import { csvRecordToInput, fieldWithInvalidText, planColumns, type ColumnPlan } from './import-row.rules';
import { frameRecords, type FramedChunk, type FramedRecord } from './record-framer';
import { TIME_ORDERED_ID_BYTES, writeTimeOrderedId } from './time-ordered-id';

/**
 * The parsing half of an import (R-C6), free of Nest and the database: reads the file from an offset, frames its
 * records, parses them (csv-parse, chunk by chunk, or JSON), checks each with the API's rule set
 * (`validateContactInput`) and hands over one batch at a time: the valid rows as the staging table's COPY text, what
 * the batch's events need, its errors and where it ends.
 */

/**
 * Rows per transaction: big enough to amortise the round trips, small enough to resume cheaply and to keep the
 * batches in flight (~4: parsed, staged, two being written) small. 1M-row runs: 5,000 and 10,000 import as fast
 * (2,500 and 20,000 no faster), peak RSS 231–241 MB at 5,000 against 254–265 MB at 10,000 and 302 MB at 20,000.
 */
export const IMPORT_BATCH_ROWS = 5000;
/** One record (a CSV row or an NDJSON line) may not be larger than this; a larger one is rejected alone. */
export const MAX_RECORD_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;

/** A problem that retrying cannot fix: the import is marked failed at once. */
export class ImportUnrecoverable extends Error {}

export interface ImportError {
  row: number;
  field: string;
  reason: string;
}

export interface ParseOptions {
  path: string;
  csv: boolean;
  /** Where this run starts: the offset and line committed with the last batch (0 and 1 for a fresh import). */
  startOffset: number;
  startLine: number;
  /** The header of a CSV import, once read (stored with its first batch); null before. */
  columns: string[] | null;
  tenant: TenantFacts;
  /** R-C3: the configured minimum age per regime (MissiveConfig.minimumAges), as the API applies it. */
  minimumAges: MinimumAges;
  /** The clock the rules read (minors, consent times), fixed for the run: epoch milliseconds. */
  now: number;
  batchRows?: number;
  /** Where the batches' buffers come from; a batch hands them back with `release()` once it is written. */
  buffers?: BufferPool;
}

/**
 * The batch's valid contacts, one per address (the later row of a repeated one), in columns: index i of each array
 * is the i-th contact. What the batch's `contact.changed` events carry, already in the form they carry it, so the
 * write does not rebuild it; the personal fields' JSON is one buffer outside the heap, not thousands of strings in it.
 */
export interface BatchContacts {
  emails: string[];
  regions: Region[];
  lawfulBases: LawfulBasis[];
  trackingConsent: boolean[];
  lists: string[][];
  tags: string[][];
  /** The file line of each contact's row (the later row of a repeated address), for the import report. */
  lines: number[];
  /**
   * The JSON of each contact's `ContactPersonalFieldsV1` (to be sealed with the tenant's key), as UTF-8: contact i's
   * is `personal.subarray(personalStart[i], personalEnd[i])`.
   */
  personal: Buffer;
  personalStart: Int32Array;
  personalEnd: Int32Array;
  /** Bytes each contact adds to an event, a little over (`eventBytesOf`). */
  eventBytes: Int32Array;
  /** R-C8: the addresses whose (later) row asked for double opt-in: a new contact among them starts `pending`. */
  doubleOptIn: string[];
}

/** The personal fields' JSON of contact `i` of a batch. */
export function personalJsonOf(contacts: BatchContacts, i: number): Buffer {
  return contacts.personal.subarray(contacts.personalStart[i], contacts.personalEnd[i]);
}

/**
 * Bytes a contact adds to a `contact.changed` v4 event, a little over: its clear state (id, status, basis, flags and
 * the JSON of its lists and tags), and its personal fields once sealed (base64 of the JSON: 4/3 of its bytes).
 */
export function eventBytesOf(personalBytes: number, lists: string[], tags: string[]): number {
  let n = 160 + Math.ceil((personalBytes * 4) / 3);
  for (const v of lists) n += Buffer.byteLength(v) + 3;
  for (const v of tags) n += Buffer.byteLength(v) + 3;
  return n;
}

export interface ParsedBatch {
  /** The staging table's COPY text of the batch's valid rows, in file order (UTF-8). */
  copy: Buffer;
  /** The valid rows in `copy` (a repeated address is staged again; the later row wins). */
  staged: number;
  contacts: BatchContacts;
  /** Rows read (valid or not) and rejected, and the rejected rows' errors (uncapped). */
  total: number;
  rejected: number;
  errors: ImportError[];
  /** Where the batch starts and ends in the file (offset, and the line number after it). */
  startOffset: number;
  endOffset: number;
  endLine: number;
  /** The CSV header, read by this batch (a fresh import's first one). */
  columns?: string[];
  /** Hands `copy` and the contacts' `personal` back to the run's pool: neither may be read after this. */
  release(): void;
}

export interface ParseSummary {
  /** Data rows read by this run (header excluded). */
  rows: number;
  /** The header's line, 0 when there was none. */
  headerLine: number;
}

/** A batch's contacts as its rows come, one per address: a later row for the same address replaces the earlier. */
export class BatchContactsBuilder {
  private readonly emails: string[] = [];
  private readonly regions: Region[] = [];
  private readonly lawfulBases: LawfulBasis[] = [];
  private readonly trackingConsent: boolean[] = [];
  private readonly lists: string[][] = [];
  private readonly tags: string[][] = [];
  private readonly lines: number[] = [];
  private readonly personal: ByteSink;
  private personalStart: Int32Array;
  private personalEnd: Int32Array;
  private eventBytes: Int32Array;
  private readonly indexOf = new Map<string, number>();
  private readonly optIn = new Set<string>();

  constructor(capacity = 1024, buffers?: BufferPool) {
    this.personal = new ByteSink(256 * 1024, buffers);
    this.personalStart = new Int32Array(capacity);
    this.personalEnd = new Int32Array(capacity);
    this.eventBytes = new Int32Array(capacity);
  }

  add(contact: ContactData, line = 0, doubleOptIn = false): void {
    if (doubleOptIn) this.optIn.add(contact.email);
    else this.optIn.delete(contact.email);
    let i = this.indexOf.get(contact.email);
    if (i === undefined) {
      i = this.emails.length;
      this.indexOf.set(contact.email, i);
      this.emails.push(contact.email);
      if (i === this.personalStart.length) this.grow();
    }
    this.regions[i] = contact.region;
    this.lawfulBases[i] = contact.lawfulBasis;
    this.trackingConsent[i] = contact.trackingConsent;
    this.lists[i] = contact.lists;
    this.tags[i] = contact.tags;
    this.lines[i] = line;
    const personal: ContactPersonalFieldsV1 = {
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
      phone: contact.phone,
      locale: contact.locale,
      birthDate: contact.birthDate,
      attributes: contact.attributes,
    };
    // A repeated address's earlier JSON stays in the buffer, unreferenced.
    const start = this.personal.append(JSON.stringify(personal));
    this.personalStart[i] = start;
    this.personalEnd[i] = this.personal.length;
    this.eventBytes[i] = eventBytesOf(this.personal.length - start, contact.lists, contact.tags);
  }

  private grow(): void {
    const size = this.personalStart.length * 2;
    const grown = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.personalStart = grown(this.personalStart);
    this.personalEnd = grown(this.personalEnd);
    this.eventBytes = grown(this.eventBytes);
  }

  build(): BatchContacts {
    const n = this.emails.length;
    return {
      emails: this.emails,
      regions: this.regions,
      lawfulBases: this.lawfulBases,
      trackingConsent: this.trackingConsent,
      lists: this.lists,
      tags: this.tags,
      lines: this.lines,
      personal: this.personal.bytes(),
      personalStart: this.personalStart.subarray(0, n),
      personalEnd: this.personalEnd.subarray(0, n),
      eventBytes: this.eventBytes.subarray(0, n),
      doubleOptIn: [...this.optIn],
    };
  }

  /** Hands the personal fields' buffer back (see `ParsedBatch.release`). */
  release(): void {
    this.personal.release();
  }
}

/** A batch as it fills: its COPY text, its contacts by address, its counts, errors and end. */
class BatchBuilder {
  private readonly contacts: BatchContactsBuilder;
  private readonly copy: ByteSink;
  staged = 0;
  total = 0;
  rejected = 0;
  readonly errors: ImportError[] = [];
  endOffset: number;
  endLine: number;
  columns?: string[];

  constructor(
    readonly startOffset: number,
    startLine: number,
    batchRows: number,
    buffers?: BufferPool,
  ) {
    this.contacts = new BatchContactsBuilder(batchRows, buffers);
    this.copy = new ByteSink(2 * 1024 * 1024, buffers);
    this.endOffset = startOffset;
    this.endLine = startLine;
  }

  /** Stages a valid row; a later row for an address already staged wins (the upsert keeps the higher `ord`). */
  add(contact: ContactData, line: number, doubleOptIn = false): void {
    // The row's order in the batch, the id it gets if it is new (written as bytes), then its fields.
    this.copy.append(`${this.staged}\t`);
    this.copy.appendWith(TIME_ORDERED_ID_BYTES, writeTimeOrderedId);
    this.copy.append(`\t${copyLine(contact)}\n`);
    this.staged += 1;
    this.contacts.add(contact, line, doubleOptIn);
  }

  reject(errors: ImportError[]): void {
    this.rejected += 1;
    for (const e of errors) this.errors.push(e);
  }

  build(): ParsedBatch {
    return {
      copy: this.copy.bytes(),
      staged: this.staged,
      contacts: this.contacts.build(),
      total: this.total,
      rejected: this.rejected,
      errors: this.errors,
      startOffset: this.startOffset,
      endOffset: this.endOffset,
      endLine: this.endLine,
      columns: this.columns,
      release: () => {
        this.copy.release();
        this.contacts.release();
      },
    };
  }
}

/**
 * The file's batches from `startOffset`, each of `batchRows` rows (the last one may be shorter, and a run that reads
 * no row still yields one batch to commit a header or the end offset); returns how many rows it read. A CSV header
 * that cannot be read throws ImportUnrecoverable.
 */
export async function* parseImportFile(options: ParseOptions): AsyncGenerator<ParsedBatch, ParseSummary> {
  const { csv, startOffset } = options;
  const batchRows = options.batchRows ?? IMPORT_BATCH_ROWS;
  const now = new Date(options.now);
  let plan: ColumnPlan | null = csv && options.columns ? planColumns(options.columns) : null;
  let headerLine = 0;
  let rows = 0;
  const { buffers } = options;
  let batch = new BatchBuilder(startOffset, Math.max(1, options.startLine), batchRows, buffers);
  const source = createReadStream(options.path, { start: startOffset, highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of frameRecords(source, {
      quoted: csv,
      maxRecordBytes: MAX_RECORD_BYTES,
      startOffset,
      startLine: batch.endLine,
    })) {
      const parsed = csv ? parseCsvChunk(chunk) : null;
      let next = 0;
      for (const rec of chunk.records) {
        const values = rec.bad ? null : csv ? parsed![next++] : null;
        if (csv && plan === null) {
          // The header (line 1 of a fresh CSV import).
          headerLine = rec.line;
          if (!values) throw new ImportUnrecoverable(`the header line ${rec.bad ?? 'cannot be read'}`);
          plan = planColumns(values);
          batch.columns = plan.columns;
          for (const p of plan.problems) batch.errors.push({ row: rec.line, ...p });
        } else {
          rows += 1;
          batch.total += 1;
          const checked = checkRecord(batch, rec, plan, values, chunk, options, now);
          if (checked) batch.add(checked.contact, rec.line, checked.doubleOptIn);
        }
        batch.endOffset = rec.end;
        batch.endLine = rec.nextLine;
        if (batch.total >= batchRows) {
          yield batch.build();
          batch = new BatchBuilder(batch.endOffset, batch.endLine, batchRows, buffers);
        } else if ((batch.total & 255) === 0) await yieldToWriter();
      }
    }
  } finally {
    source.destroy();
  }
  if (batch.total > 0 || batch.columns || batch.errors.length > 0 || batch.endOffset > batch.startOffset) {
    yield batch.build();
  }
  return { rows, headerLine };
}

/**
 * Checks one record with the API's rule set: the contact to stage and whether it asked for double opt-in (R-C8, the
 * `doubleOptIn` column or field, not a stored field), or null (its errors go to the batch).
 */
function checkRecord(
  batch: BatchBuilder,
  rec: FramedRecord,
  plan: ColumnPlan | null,
  values: string[] | null,
  chunk: FramedChunk,
  { tenant, minimumAges }: Pick<ParseOptions, 'tenant' | 'minimumAges'>,
  now: Date,
): { contact: ContactData; doubleOptIn: boolean } | null {
  const row = rec.line;
  const reject = (errors: ImportError[]) => {
    batch.reject(errors);
    return null;
  };
  if (rec.bad) return reject([{ row, field: 'row', reason: rec.bad }]);
  let input: unknown;
  if (plan) {
    if (!values) return reject([{ row, field: 'row', reason: 'broken CSV quoting' }]);
    if (values.length !== plan.columns.length) {
      return reject([
        { row, field: 'row', reason: `has ${values.length} fields; the header has ${plan.columns.length}` },
      ]);
    }
    input = csvRecordToInput(plan, values);
  } else {
    let text = chunk.buf.toString('utf8', rec.start, rec.stop);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    try {
      input = JSON.parse(text);
    } catch {
      return reject([{ row, field: 'row', reason: 'is not valid JSON' }]);
    }
  }
  if (rec.notUtf8) return reject([{ row, field: fieldWithInvalidText(input) ?? 'row', reason: 'is not valid UTF-8' }]);
  // The API's text rule (R-X6): a NUL would fail the whole batch's COPY, so the row fails alone here.
  const unsafe = textSafetyDetails(input, { root: 'row' });
  if (unsafe.length > 0) return reject(unsafe.map((d) => ({ row, field: d.field ?? 'row', reason: d.reason })));
  let doubleOptIn = false;
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && 'doubleOptIn' in input) {
    const { doubleOptIn: raw, ...fields } = input as Record<string, unknown>;
    const flag = readDoubleOptIn(raw);
    if ('problem' in flag) return reject([{ row, ...flag.problem }]);
    doubleOptIn = flag.value;
    input = fields;
  }
  const result = validateContactInput(input, tenant, minimumAges, now);
  return result.ok ? { contact: result.contact, doubleOptIn } : reject(result.errors.map((e) => ({ row, ...e })));
}

/**
 * Lets the replies of the batches being written run: parsing is synchronous, and each statement of a write would
 * otherwise wait for a whole chunk's parse before its next one is sent, leaving the database idle.
 */
function yieldToWriter(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
