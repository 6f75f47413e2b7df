import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { arrayLiteral, copyEscape, copyLine } from './copy-text';
import { frameRecords } from './record-framer';
import { Readable } from 'node:stream';

describe('COPY text', () => {
  it('escapes backslash, tab, newline and carriage return', () => {
    expect(copyEscape('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyEscape('plain')).toBe('plain');
  });

  it('quotes every array element', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral(['a', 'b"c', 'd\\e', 'NULL'])).toBe('{"a","b\\"c","d\\\\e","NULL"}');
  });
});

describe('CSV fast path (R-C6)', () => {
  it('(property) a record without quotes splits at the commas exactly as csv-parse reads it', async () => {
    const field = fc.stringMatching(/^[^",\r\n]{0,8}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 5 }),
        async (rows) => {
          const text = rows.map((r) => r.join(',')).join('\n');
          const fast: string[][] = [];
          for await (const chunk of frameRecords(Readable.from([Buffer.from(text)]), {
            quoted: true,
            maxRecordBytes: 1024,
          })) {
            for (const r of chunk.records) fast.push(chunk.buf.toString('utf8', r.start, r.stop).split(','));
          }
          const nonEmpty = rows.filter((r) => r.join(',') !== '');
          expect(fast).toEqual(
            parse(nonEmpty.map((r) => r.join(',')).join('\n'), { relax_column_count: true, relax_quotes: true }),
          );
        },
      ),
    );
  });
});

describe('copyLine', () => {
  it('writes the 13 columns of CONTACT_COLUMNS in order, NULL as \\N, escaped', () => {
    const line = copyLine({
      email: 'a@example.com',
      firstName: 'Tab\there',
      lastName: null,
      phone: null,
      locale: 'en',
      region: 'NA',
      lawfulBasis: 'consent',
      consent: { givenAt: '2025-01-01T00:00:00.000Z', source: 'web', ip: null, text: null, explicit: false },
      birthDate: null,
      trackingConsent: true,
      lists: ['news', 'b"c'],
      tags: [],
      attributes: { plan: 'x\\y' },
    });
    expect(line.split('\t')).toEqual([
      'a@example.com',
      'Tab\\there',
      '\\N',
      '\\N',
      'en',
      'NA',
      'consent',
      '{"givenAt":"2025-01-01T00:00:00.000Z","source":"web","ip":null,"text":null,"explicit":false}',
      't',
      '\\N',
      '{"plan":"x\\\\\\\\y"}',
      '{"news","b\\\\"c"}',
      '{}',
    ]);
  });
});
