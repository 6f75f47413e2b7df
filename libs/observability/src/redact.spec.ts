import { redactText, redactValue } from './redact';

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

  it('redacts nested fields and errors', () => {
    expect(redactValue({ a: { b: ['x@y.io'] }, e: new Error('bad 10.0.0.1') })).toEqual({
      a: { b: ['[email]'] },
      e: { type: 'Error', message: 'bad [ip]' },
    });
  });
});
