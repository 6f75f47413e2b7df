import { arrayLiteral, copyEscape, copyLine } from './copy-text';

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
