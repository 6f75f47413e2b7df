import fc from 'fast-check';
import { simpleParser, type ParsedMail } from 'mailparser';
import { composeMessage, type ComposedMessage, type MessageUrls } from './message-composition';
import { buildMimeMessage, mimeSkeleton } from './mime-message';

/**
 * mailparser as the oracle (issue 24): a composed message written as MIME and parsed back by an independent parser
 * gives the same subject, From, R-S3 headers, HTML and text parts, whatever the template renders to.
 */
const urls: MessageUrls = {
  unsubscribeUrl: `https://links.example/u/${'U'.repeat(92)}`,
  unsubscribeMailbox: `unsubscribe+${'U'.repeat(92)}@links.example`,
  pixelUrl: 'https://links.example/t/o/OPEN',
  clickUrl: null,
  bounceToken: 'BOUNCE0123456789abcdef',
  returnPath: 'bounce+BOUNCE0123456789abcdef@bounces.example',
};
const DATE = new Date('2026-11-23T16:31:00Z');

function roundTrip(
  subject: string,
  html: string,
  text: string | null,
  from = { email: 'news@shop.example', name: 'Shop News' as string | null },
): { composed: ComposedMessage; raw: string; parsed: Promise<ParsedMail> } {
  const composed = composeMessage({ subject, html, text }, urls, 'mail.example');
  const raw = buildMimeMessage(mimeSkeleton(from), 'ada@example.com', composed, DATE);
  return { composed, raw, parsed: simpleParser(raw) };
}

/** What a reader gets back: mailparser decodes the parts with LF line ends (CRLF and lone CR alike). */
const lf = (s: string) => s.replace(/\r\n|\r/g, '\n');

async function expectSame(subject: string, html: string, text: string | null, name: string | null = 'Shop News') {
  const { composed, raw, parsed } = roundTrip(subject, html, text, { email: 'news@shop.example', name });
  const mail = await parsed;
  expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
  expect(mail.subject).toBe(composed.subject);
  expect(mail.from?.value).toEqual([{ address: 'news@shop.example', name: name ?? '' }]);
  expect(mail.messageId).toBe(composed.messageId);
  // Header lines as the parser read them, unfolded (RFC 5322 §2.2.3): the exact values composed.
  const line = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n(?=[ \t])/g, '');
  for (const [name, value] of Object.entries(composed.headers))
    expect(line(name.toLowerCase())).toBe(`${name}: ${value}`);
  expect(mail.headers.get('list')).toEqual({
    unsubscribe: { url: urls.unsubscribeUrl, mail: urls.unsubscribeMailbox },
    'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
  });
  expect(mail.html).toBe(lf(composed.html));
  expect(mail.text).toBe(lf(composed.text));
}

describe('composed message through MIME, parsed back by mailparser (R-S3)', () => {
  it('R-S3: UTF-8 subjects and names, long lines, dots at line start and the boundary text come back unchanged', async () => {
    await expectSame('Grüße, Zoë — 用户 𝄞 🎉 ünïcödé', '<p>Hallo</p>', null, 'Bücher & Co., "Zoë"');
    await expectSame(
      `Long ${'wörd '.repeat(60)}end`,
      `<p>${'x'.repeat(3000)}</p>\n<p>${'é'.repeat(2000)}</p>`,
      `${'y'.repeat(2500)}\n${'z '.repeat(800)}`,
    );
    await expectSame('Dots', '<p>a</p>\n.\n..\n.hidden\n<p>b</p>', '.\n..\n. starts\nend\n.');
    await expectSame('=?utf-8?Q?not_a_word?= From: x', '<p>=3D =?utf-8?B?Zm9v?= =20</p>', 'soft=\nbreak= \n');
    await expectSame('Tabs and trailing spaces in text', '<p>x</p>', 'tab\tand trailing space \nnext');
  });

  it('(property) any subject, HTML and text read back as composed', async () => {
    const piece = fc.constantFrom(
      'a',
      'Z',
      ' ',
      '  ',
      '.',
      '\n.',
      '\n..',
      '\r\n',
      '\n',
      '\t',
      '=',
      '=?',
      '?=',
      '--',
      '_',
      'é',
      'ß',
      '用',
      '𝄞',
      '🎉',
      '—',
      '<b>',
      '</p>',
      '&amp;',
      'x'.repeat(90),
      'é'.repeat(40),
      'word ',
    );
    const textOf = (max: number) => fc.array(piece, { maxLength: max }).map((p) => p.join(''));
    const subjectPiece = fc.constantFrom(
      'a',
      'Z',
      ' ',
      '.',
      '=',
      '=?',
      '?=',
      '_',
      'é',
      '用',
      '𝄞',
      '🎉',
      'word ',
      'x'.repeat(80),
    );
    const subject = fc
      .array(subjectPiece, { minLength: 1, maxLength: 20 })
      .map((p) => p.join('').trim())
      .filter((s) => s.length > 0 && !/ {2}/.test(s));
    await fc.assert(
      fc.asyncProperty(subject, textOf(40), fc.option(textOf(40)), async (s, html, text) => {
        await expectSame(s, `<p>${html}</p>`, text);
      }),
      { numRuns: 300 },
    );
  });
});
