import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ImportUnrecoverable,
  parseImportFile,
  personalJsonOf,
  type ParsedBatch,
  type ParseOptions,
  type ParseSummary,
} from './import-parser';

const dir = mkdtempSync(join(tmpdir(), 'import-parser-'));
const parse = (o: ParseOptions) => collect(parseImportFile(o));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(name: string, content: string, extra: Partial<ParseOptions> = {}): ParseOptions {
  const path = join(dir, name);
  writeFileSync(path, content);
  return {
    path,
    csv: name.endsWith('.csv'),
    startOffset: 0,
    startLine: 1,
    columns: null,
    tenant: { region: 'NA', transferSafeguard: null },
    minimumAges: { NA: 13, EEA: 16 },
    now: Date.parse('2026-12-05T00:00:00Z'),
    batchRows: 3,
    ...extra,
  };
}

async function collect(
  batches: AsyncGenerator<ParsedBatch, ParseSummary>,
): Promise<{ batches: ParsedBatch[]; summary: ParseSummary }> {
  const out: ParsedBatch[] = [];
  for (;;) {
    const next = await batches.next();
    if (next.done) return { batches: out, summary: next.value };
    out.push(next.value);
  }
}

/** A batch without its COPY text's random ids (each run draws new ones), its buffers as text. */
function comparable(b: ParsedBatch) {
  const lines = b.copy.toString('utf8').split('\n').filter(Boolean);
  const { emails } = b.contacts;
  return {
    ...b,
    release: null,
    copy: lines.map((l) => l.split('\t').filter((_, i) => i !== 1)),
    contacts: {
      ...b.contacts,
      personal: emails.map((_, i) => personalJsonOf(b.contacts, i).toString()),
      personalStart: null,
      personalEnd: null,
      eventBytes: [...b.contacts.eventBytes],
    },
  };
}

const CSV =
  'email,lawfulBasis,firstName,lists\n' +
  'a@example.com,contract,Ann,x;y\n' +
  'not-an-address,contract,Bob,\n' +
  'c@example.com,legitimate_interests,Cé,\n' +
  'A@Example.com,contract,Ann Again,z\n' +
  'd@example.com,consent,Dan,\n' +
  'e@example.com,contract,Eve,\n';

describe('parseImportFile (R-C6: an import file as batches to stage and write)', () => {
  it('R-C6, R-C1: hands over batches in file order: COPY text, one contact per address, errors by row', async () => {
    const parsed = await parse(options('a.csv', CSV));
    expect(parsed.summary).toEqual({ rows: 6, headerLine: 1 });
    expect(parsed.batches).toHaveLength(2);
    const [first, second] = parsed.batches;
    expect(comparable(first).copy.map((fields) => fields.slice(0, 3))).toEqual([
      ['0', 'a@example.com', 'Ann'],
      ['1', 'c@example.com', 'Cé'],
    ]);
    // Both rows of the repeated address are staged (the upsert keeps the later one); the batch has one contact.
    expect(comparable(second).copy.map((fields) => fields.slice(0, 3))).toEqual([
      ['0', 'a@example.com', 'Ann Again'],
      ['1', 'e@example.com', 'Eve'],
    ]);
    expect(first).toMatchObject({ total: 3, staged: 2, rejected: 1, startOffset: 0, endLine: 5 });
    expect(first.columns).toEqual(['email', 'lawfulBasis', 'firstName', 'lists']);
    expect(first.errors).toEqual([{ row: 3, field: 'email', reason: 'is not an email address' }]);
    // Row 5 repeats row 2's address (normalised): staged twice, one contact, the later row's data.
    expect(second).toMatchObject({ total: 3, staged: 2, rejected: 1 });
    expect(second.errors).toEqual([
      { row: 6, field: 'consent', reason: 'is required when lawfulBasis is consent (givenAt and source)' },
    ]);
    expect(second.startOffset).toBe(first.endOffset);
    expect(second.endOffset).toBe(Buffer.byteLength(CSV));
    expect(second.contacts.emails).toEqual(['a@example.com', 'e@example.com']);
    expect(JSON.parse(personalJsonOf(second.contacts, 0).toString())).toMatchObject({
      email: 'a@example.com',
      firstName: 'Ann Again',
    });
    expect(second.contacts.lists[0]).toEqual(['z']);
    expect([0, 1].map((i) => JSON.parse(personalJsonOf(first.contacts, i).toString()).firstName)).toEqual([
      'Ann',
      'Cé',
    ]);
  });

  it('R-C6: resumes from a committed offset with the stored header', async () => {
    const all = await parse(options('c.csv', CSV));
    const resumed = await collect(
      parseImportFile(
        options('d.csv', CSV, {
          startOffset: all.batches[0].endOffset,
          startLine: all.batches[0].endLine,
          columns: all.batches[0].columns!,
        }),
      ),
    );
    expect(resumed.batches.map(comparable)).toEqual(all.batches.slice(1).map(comparable));
    expect(resumed.summary).toEqual({ rows: 3, headerLine: 0 });
  });

  it('R-C6: an unreadable header fails the import as unrecoverable; a missing file as an error', async () => {
    await expect(parse(options('e.csv', '"email\n'))).rejects.toBeInstanceOf(ImportUnrecoverable);
    await expect(parse({ ...options('f.csv', ''), path: join(dir, 'gone.csv') })).rejects.toThrow(/ENOENT/);
  });

  it('R-C6: NDJSON lines are checked alike; an empty file yields no batch', async () => {
    const ndjson =
      JSON.stringify({ email: 'n1@example.com', lawfulBasis: 'contract', lists: ['b', 'a', 'a'] }) +
      '\n{broken\n' +
      JSON.stringify({ email: 'n2@example.com', lawfulBasis: 'nope' }) +
      '\n';
    const parsed = await parse(options('h.ndjson', ndjson, { batchRows: 10 }));
    expect(parsed.summary).toEqual({ rows: 3, headerLine: 0 });
    const [batch] = parsed.batches;
    expect(batch).toMatchObject({ total: 3, staged: 1, rejected: 2 });
    expect(batch.contacts.lists).toEqual([['a', 'b']]);
    expect(batch.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'row'],
      [3, 'lawfulBasis'],
    ]);
    expect(await parse(options('i.ndjson', ''))).toEqual({ batches: [], summary: { rows: 0, headerLine: 0 } });
  });
});

describe('double opt-in in imports (R-C8)', () => {
  it('R-C8: the doubleOptIn CSV column and NDJSON field mark rows for double opt-in; a later row wins; a bad value rejects its row', async () => {
    const csv = await parse(
      options(
        'opt-in.csv',
        'email,lawfulBasis,doubleOptIn\na@x.example,contract,true\nb@x.example,contract,no\n' +
          'c@x.example,contract,maybe\nb@x.example,contract,yes\na@x.example,contract,\n',
        { batchRows: 10 },
      ),
    );
    const [batch] = csv.batches;
    expect(batch.contacts.doubleOptIn).toEqual(['b@x.example']);
    expect(batch.errors).toEqual([{ row: 4, field: 'doubleOptIn', reason: 'must be true or false' }]);
    expect(batch.copy.toString()).not.toContain('doubleOptIn');

    const ndjson = await parse(
      options(
        'opt-in.ndjson',
        '{"email":"d@x.example","lawfulBasis":"contract","doubleOptIn":true}\n' +
          '{"email":"e@x.example","lawfulBasis":"contract","doubleOptIn":false}\n',
        { batchRows: 10 },
      ),
    );
    expect(ndjson.batches[0].contacts.doubleOptIn).toEqual(['d@x.example']);
    expect(ndjson.batches[0].rejected).toBe(0);
  });
});
