import { simpleParser } from 'mailparser';
import { buildMimeMessage, mimeSkeleton } from './mime-message';
import type { ComposedMessage } from './message-composition';

const unsubscribeUrl = `https://links.example/u/${'A'.repeat(92)}`;
const mailbox = `unsubscribe+${'A'.repeat(92)}@links.example`;

function composed(overrides: Partial<ComposedMessage> = {}): ComposedMessage {
  return {
    subject: 'Hello Ada',
    html: '<p>Hello Ada</p>',
    text: 'Hello Ada',
    messageId: '<0123456789abcdef0123456789abcdef@links.example>',
    returnPath: `bounce+${'B'.repeat(92)}@links.example`,
    headers: {
      'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:${mailbox}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    ...overrides,
  };
}

const DATE = new Date('2026-11-23T16:31:00Z');
const skeleton = mimeSkeleton({ email: 'news@shop.example', name: 'Shop News' });
const build = (message: ComposedMessage, to = 'ada@example.com') => buildMimeMessage(skeleton, to, message, DATE);

/** The head of a message, unfolded (RFC 5322 §2.2.3). */
function head(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n(?=[ \t])/g, '');
}

describe('MIME message built per recipient (R-S3)', () => {
  it('R-S3: carries From, To, Subject, a unique Message-ID, Date, List-Unsubscribe and List-Unsubscribe-Post', async () => {
    const raw = build(composed());
    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ address: 'news@shop.example', name: 'Shop News' }]);
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value).toEqual([{ address: 'ada@example.com', name: '' }]);
    expect(mail.subject).toBe('Hello Ada');
    expect(mail.messageId).toBe('<0123456789abcdef0123456789abcdef@links.example>');
    expect(mail.date?.toISOString()).toBe('2026-11-23T16:31:00.000Z');
    expect(mail.text?.trim()).toBe('Hello Ada');
    expect(mail.html).toBe('<p>Hello Ada</p>');
    const lines = head(raw).split('\r\n');
    expect(lines).toContain(`List-Unsubscribe: <${unsubscribeUrl}>, <mailto:${mailbox}>`);
    expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(lines).toContain('MIME-Version: 1.0');
  });

  it('keeps every line within 998 characters (folding header lines at white space), with CRLF line ends only', () => {
    const subject = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const raw = build(composed({ subject, html: `<p>${'x'.repeat(5000)}</p>\n<p>next</p>`, text: 'a\nb\rc' }));
    expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(raw).toMatch(/^Subject: word0 .*\r\n word/m);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('sends plain ASCII bodies as they are (7bit) and anything else quoted-printable, decoding to the same text', async () => {
    const plain = build(composed());
    expect(plain).toContain('Content-Transfer-Encoding: 7bit\r\n\r\n<p>Hello Ada</p>\r\n');

    const html = `<p>Grüße, Zoë — ${'y'.repeat(1200)}</p>\n<p>=?utf-8?Q?no?= . </p>`;
    const text = 'Grüße\n.\nline after a dot';
    const raw = build(composed({ html, text }));
    expect(raw).toMatch(/Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable/);
    const mail = await simpleParser(raw);
    // mailparser hands the decoded text back with LF line ends.
    expect(mail.html).toBe(html);
    expect(mail.text).toBe(text);
  });

  it('a part that contains the boundary is encoded, so it cannot end the part early', async () => {
    const raw = build(composed({ text: `before\n--${skeleton.boundary}--\nafter` }));
    const mail = await simpleParser(raw);
    expect(mail.text).toBe(`before\n--${skeleton.boundary}--\nafter`);
    expect(mail.html).toBe('<p>Hello Ada</p>');
  });

  it('R-S3: a subject or header value cannot smuggle header lines; non-ASCII is RFC 2047-encoded', async () => {
    const raw = build(composed({ subject: 'Grüße\r\nBcc: victim@example.com' }));
    const mail = await simpleParser(raw);
    expect(mail.bcc).toBeUndefined();
    expect(mail.subject).toBe('Grüße\r\nBcc: victim@example.com');
    expect(head(raw)).not.toMatch(/^Bcc:/m);
    expect(head(raw)).toMatch(/^Subject: =\?UTF-8\?Q\?/m);
  });

  it('encodes display names that need it, and refuses an address that would break the header', async () => {
    const quoted = mimeSkeleton({ email: 'news@shop.example', name: 'Shop, "News" Team' });
    expect((await simpleParser(buildMimeMessage(quoted, 'ada@example.com', composed(), DATE))).from?.value).toEqual([
      { address: 'news@shop.example', name: 'Shop, "News" Team' },
    ]);
    const unicode = mimeSkeleton({ email: 'news@bücher.example', name: 'Bücher\r\nBcc: x@y.z' });
    const raw = buildMimeMessage(unicode, 'ada@example.com', composed(), DATE);
    expect(head(raw)).toMatch(/^From: =\?UTF-8\?Q\?.*\?= <news@xn--bcher-kva\.example>$/m);
    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ address: 'news@bücher.example', name: 'Bücher\r\nBcc: x@y.z' }]);
    expect(mail.bcc).toBeUndefined();
    expect(() => build(composed(), 'ada@example.com\r\nBcc: victim@example.com')).toThrow();
    expect(() => mimeSkeleton({ email: 'a@b.example>', name: null })).toThrow();
  });

  it('gives every campaign its own unguessable boundary', () => {
    const other = mimeSkeleton({ email: 'news@shop.example', name: null });
    expect(other.boundary).not.toBe(skeleton.boundary);
    expect(other.boundary).toMatch(/^----=_Missive_[0-9a-f]{24}$/);
    expect(other.fromHeader).toBe('From: news@shop.example\r\n');
  });
});
