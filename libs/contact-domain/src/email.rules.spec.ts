import { domainToASCII } from 'node:url';
import fc from 'fast-check';
import { emailSyntaxProblem, normaliseEmail } from './email.rules';

describe('email rules (R-C1)', () => {
  it('R-C1: trims and lower-cases the whole address, keeping dots and +tags', () => {
    expect(normaliseEmail('  Ann.Lee+News@Example.COM \t')).toBe('ann.lee+news@example.com');
    expect(normaliseEmail('bob@Bücher.DE')).toBe('bob@xn--bcher-kva.de');
  });

  it.each([
    ['ann@example.com', null],
    ['a.b-c_d+e@mail.example.co.uk', null],
    ['', 'is required'],
    ['ann', 'is not an email address'],
    ['ann@', 'is not an email address'],
    ['@example.com', 'is not an email address'],
    ['a..b@example.com', 'has an invalid local part'],
    ['"quoted"@example.com', 'has an invalid local part'],
    ['ann@localhost', 'has a domain without a dot'],
    ['ann@-bad.com', 'has an invalid domain'],
    ['ann@example.c0m', 'has an invalid top-level domain'],
    [`${'a'.repeat(65)}@example.com`, 'has a local part longer than 64 characters'],
  ])('R-C1: %j → %j', (email, problem) => {
    expect(emailSyntaxProblem(email)).toBe(problem);
  });

  it('R-C1 (property): normalising is idempotent and blind to case and surrounding space', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.+_-]{0,15}$/);
    fc.assert(
      fc.property(part, part, fc.constantFrom('', ' ', '\t', '  '), (local, domain, pad) => {
        const raw = `${pad}${local}@${domain}.Com${pad}`;
        const once = normaliseEmail(raw);
        expect(normaliseEmail(once)).toBe(once);
        expect(normaliseEmail(raw.toUpperCase())).toBe(once);
        expect(once).toBe(once.trim().toLowerCase());
      }),
    );
  });

  it('R-C1 (property): any text normalises as its local part and domain lower-cased apart, the domain in ASCII', () => {
    const byParts = (raw: string) => {
      const trimmed = raw.trim();
      const at = trimmed.lastIndexOf('@');
      if (at < 0) return trimmed.toLowerCase();
      const domain = trimmed.slice(at + 1).toLowerCase();
      // eslint-disable-next-line no-control-regex
      const ascii = /[^\x00-\x7f]/.test(domain) ? domainToASCII(domain) || domain : domain;
      return `${trimmed.slice(0, at).toLowerCase()}@${ascii}`;
    };
    const text = fc.string({ unit: fc.constantFrom('a', 'Σ', 'ς', 'İ', 'ß', 'Ü', '.', '@', ' ', 'x', 'K', '\u0301') });
    fc.assert(
      fc.property(text, (raw) => expect(normaliseEmail(raw)).toBe(byParts(raw))),
      { numRuns: 2000 },
    );
  });
});
