import fc from 'fast-check';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { redactText, redactValue } from './redact';

/** Text around an embedded value, ending and starting with a separator as log text would have one. */
const around = fc.tuple(
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.constantFrom(' ', ', ', ' <', '\n', '\t', '=', '('),
);
const embed = (value: string, [before, open]: [string, string], [after, close]: [string, string]) =>
  `${before}${open}${value}${close === '=' || close === '(' ? ' ' : close}${after}`;

const letters = (chars: string) => fc.stringOf(fc.constantFrom(...chars), { minLength: 1, maxLength: 10 });
/** Internationalised addresses (RFC 6531): Latin with diacritics, Greek, Cyrillic, CJK, Devanagari local parts and domains. */
const intlAddress = fc
  .tuple(
    letters('aböçdéjörgüñßαβγжкл用户例子广告测试डाकघर1234._-+'),
    fc.array(letters('bücherexamplδοκιμήпример例子测试公司डाक'), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('de', 'com', '广告', 'рф', 'ελ', 'भारत', 'org'),
  )
  .map(([local, labels, tld]) => `${local}@${labels.join('.')}.${tld}`);
const secretTail = fc.stringOf(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'), {
  minLength: 20,
  maxLength: 43,
});

function expectGone(value: fc.Arbitrary<string>) {
  fc.assert(
    fc.property(value, around, around, (secret, before, after) => {
      fc.pre(!before[0].includes(secret) && !after[0].includes(secret));
      expect(redactText(embed(secret, before, after))).not.toContain(secret);
    }),
    { numRuns: 2000 },
  );
}

describe('R-X2: log redaction', () => {
  it('removes emails, IPs, bearer secrets, API keys and link tokens', () => {
    const line =
      'sent to Jane.Doe+x@Example.co.uk from 203.0.113.77 and 2001:db8:85a3::8a2e:370:7334 ' +
      'auth Bearer abc.def key mk_AbC123 link /t/o/AAAAbbbbCCCC1234 /u/zzzzzzzzzzzz';
    const out = redactText(line);
    expect(out).not.toMatch(/Jane|Example|203\.0|2001:db8|abc\.def|AbC123|AAAAbbbb|zzzzzzzz/);
    expect(out).toContain('[email]');
    expect(out).toContain('/t/o/[token]');
  });

  it('keeps loopback and unspecified addresses, which name no person, so start-up URLs stay readable (issue 23)', () => {
    expect(redactText('ready: http://127.0.0.1:3000 and 0.0.0.0:3100 and [::1]:2526; client 127.0.0.2')).toBe(
      'ready: http://127.0.0.1:3000 and 0.0.0.0:3100 and [::1]:2526; client [ip]',
    );
  });

  it('R-X6: removes compressed IPv6, internationalised addresses and staff tokens', () => {
    expect(redactText('from 2001:db8::1, then ::1 and fe80::1%eth0 and ::ffff:192.0.2.7.')).toBe(
      'from [ip], then ::1 and [ip]%eth0 and [ip].',
    );
    expect(redactText('to jörg@bücher.de and 用户@例子.广告 and user@пример.рф')).toBe(
      'to [email] and [email] and [email]',
    );
    expect(redactText('staff mst_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd ok; api_key=mk_abc')).toBe(
      'staff mst_[secret] ok; api_key=mk_[secret]',
    );
    expect(redactText('a@b.c+d@e.f and 1.2.3.4:8080 and [2001:db8::2]:443')).toBe(
      '[email][email] and [ip]:8080 and [[ip]]:443',
    );
  });

  it('R-X6: leaves times, versions and scope names alone', () => {
    const text = 'at 12:30:45 took 1.5 s in Class::method of @nestjs/core 11.0.1';
    expect(redactText(text)).toBe(text);
  });

  it('R-X2, R-X6: generated addresses, IPs and tokens embedded in arbitrary text never survive', () => {
    expectGone(fc.emailAddress());
    expectGone(intlAddress);
    // Loopback and unspecified addresses belong to nobody (kept, see above); every other address must go.
    expectGone(fc.ipV4().filter((ip) => ip !== '127.0.0.1' && ip !== '0.0.0.0'));
    expectGone(fc.ipV6().filter((ip) => /[0-9a-f]/i.test(ip) && ip !== '::1'));
    expectGone(secretTail.map((tail) => `mst_${tail}`));
    expectGone(secretTail.map((tail) => `mk_${tail}`));
  });

  it('R-X2, R-X6: the addresses of issue 24 are masked; the listen address stays readable wherever it sits', () => {
    expect(redactText('peer 2001:db8::1 mapped ::ffff:192.0.2.1 listening on 127.0.0.1:3000')).toBe(
      'peer [ip] mapped [ip] listening on 127.0.0.1:3000',
    );
    expect(redactText('to jörg@exämple.de and 用户@例子.广告')).toBe('to [email] and [email]');
    fc.assert(
      fc.property(fc.constantFrom('127.0.0.1', '0.0.0.0', '::1'), around, around, (loopback, before, after) => {
        expect(redactText(embed(loopback, before, after))).toContain(loopback);
      }),
      { numRuns: 1000 },
    );
  });

  it('R-X6: a 1 MB adversarial string is redacted whole and correctly', () => {
    const MB = 1024 * 1024;
    // Long runs without the character that ends a match: the shapes that made the former patterns quadratic.
    expect(redactText('a'.repeat(MB))).toBe('a'.repeat(MB));
    expect(redactText(`${'a'.repeat(MB)}@example.com`)).toBe('[email]');
    expect(redactText(`x@${'a.'.repeat(MB / 2)}`)).toBe('[email]');
    expect(redactText(`${'!'.repeat(MB)}`)).toBe('!'.repeat(MB));
    expect(redactText('1:'.repeat(MB / 2))).toBe('1:'.repeat(MB / 2));
    expect(redactText('a@'.repeat(MB / 2))).toBe(`${'[email]@'.repeat(MB / 4)}`);
    const mixed = 'jörg@bücher.de 2001:db8::1 10.0.0.1 mst_AbCdEfGhIjKlMnOpQrStUv '.repeat(MB / 64);
    expect(redactText(mixed)).toBe('[email] [ip] [ip] mst_[secret] '.repeat(MB / 64));
  });

  it('redacts nested fields and errors, and copies nothing when there is nothing to redact', () => {
    expect(redactValue({ a: { b: ['x@y.io'] }, e: new Error('bad 10.0.0.1') })).toEqual({
      a: { b: ['[email]'] },
      e: { type: 'Error', message: 'bad [ip]' },
    });
    const clean = { campaignId: 'c-1', counts: [1, 2], nested: { state: 'sent' } };
    expect(redactValue(clean)).toBe(clean);
  });

  it('the logger censors known fields by path and scans the message and the rest', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    logger.info(
      {
        email: 'plain',
        ip: 'plain',
        req: { headers: { authorization: 'x', 'x-forwarded-for': 'y' } },
        note: 'to a@b.de',
      },
      'seen 2001:db8::1',
    );
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({
      email: '[secret]',
      ip: '[secret]',
      req: { headers: { authorization: '[secret]', 'x-forwarded-for': '[secret]' } },
      note: 'to [email]',
      msg: 'seen [ip]',
    });
  });
});
