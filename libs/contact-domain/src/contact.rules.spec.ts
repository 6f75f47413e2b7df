import fc from 'fast-check';
import { validateContactInput } from './contact.rules';

const NA = { region: 'NA' as const, transferSafeguard: null };
const NOW = new Date('2025-06-15T12:00:00Z');
const AGES = { NA: 13, EEA: 16 };
const CONSENT = { givenAt: '2025-01-01T00:00:00Z', source: 'form' };

describe(validateContactInput.name, () => {
  it('R-C1, R-T3: returns the contact in normal form', () => {
    const result = validateContactInput(
      { email: ' Ann@Example.com ', lawfulBasis: 'contract', lists: ['b', ' a ', 'b'], firstName: ' Ann ' },
      NA,
      AGES,
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      contact: {
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: null,
        phone: null,
        locale: null,
        region: 'NA',
        lawfulBasis: 'contract',
        consent: null,
        birthDate: null,
        trackingConsent: false,
        lists: ['a', 'b'],
        tags: [],
        attributes: {},
      },
    });
  });

  it('R-C5: names every failing field at once', () => {
    const result = validateContactInput(
      {
        email: 'x',
        lawfulBasis: 'whim',
        region: 'EEA',
        birthDate: '2020-01-01',
        attributes: { religion: 'x', nested: { a: 1 } },
        lists: 'a',
        unknown: 1,
      },
      NA,
      AGES,
      NOW,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field).sort()).toEqual(
      [
        'attributes.nested',
        'attributes.religion',
        'birthDate',
        'email',
        'lawfulBasis',
        'lists',
        'region',
        'unknown',
      ].sort(),
    );
  });

  it('R-C2: consent as lawful basis requires a consent record', () => {
    const result = validateContactInput({ email: 'a@example.com', lawfulBasis: 'consent' }, NA, AGES, NOW);
    expect(result).toEqual({ ok: false, errors: [{ field: 'consent', reason: expect.stringContaining('required') }] });
    expect(
      validateContactInput({ email: 'a@example.com', lawfulBasis: 'consent', consent: CONSENT }, NA, AGES, NOW).ok,
    ).toBe(true);
  });

  it('R-C3: minors are refused by the contact’s regime, not the tenant’s', () => {
    const input = { email: 'a@example.com', lawfulBasis: 'contract', birthDate: '2010-01-01', region: 'EEA' };
    const scc = { region: 'NA' as const, transferSafeguard: 'SCC' };
    expect(validateContactInput(input, scc, AGES, NOW)).toMatchObject({ ok: false, errors: [{ field: 'birthDate' }] });
    expect(validateContactInput({ ...input, region: 'NA' }, scc, AGES, NOW).ok).toBe(true);
  });

  it('R-C3: the minimum age is the configured one of the contact’s regime', () => {
    const input = { email: 'a@example.com', lawfulBasis: 'contract', birthDate: '2010-01-01', region: 'NA' };
    expect(validateContactInput(input, NA, { ...AGES, NA: 18 }, NOW)).toMatchObject({
      ok: false,
      errors: [{ field: 'birthDate', reason: expect.stringContaining('under 18') }],
    });
    expect(
      validateContactInput({ ...input, region: 'EEA' }, { ...NA, transferSafeguard: 'SCC' }, { ...AGES, EEA: 13 }, NOW)
        .ok,
    ).toBe(true);
  });

  it('R-C4: special-category attributes pass only with explicit consent', () => {
    const input = { email: 'a@example.com', lawfulBasis: 'consent', attributes: { Health: 'x', plan: 'gold' } };
    expect(validateContactInput({ ...input, consent: CONSENT }, NA, AGES, NOW)).toMatchObject({
      ok: false,
      errors: [{ field: 'attributes.Health' }],
    });
    expect(validateContactInput({ ...input, consent: { ...CONSENT, explicit: true } }, NA, AGES, NOW).ok).toBe(true);
    expect(validateContactInput({ ...input, attributes: { Health: null }, consent: CONSENT }, NA, AGES, NOW).ok).toBe(
      true,
    );
  });

  it('refuses what is not an object', () => {
    expect(validateContactInput([], NA, AGES, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'body', reason: expect.any(String) }],
    });
  });

  it('R-C1, R-C6 (property): lists and tags come out trimmed, de-duplicated and sorted, whatever their length', () => {
    const label = fc.string({ unit: fc.constantFrom('a', 'b', 'B', 'é', ' ', '1'), maxLength: 4 });
    fc.assert(
      fc.property(fc.array(label, { maxLength: 40 }), fc.array(label, { maxLength: 3 }), (lists, tags) => {
        const result = validateContactInput(
          { email: 'a@example.com', lawfulBasis: 'contract', lists, tags },
          NA,
          AGES,
          NOW,
        );
        const expected = (raw: string[]) => [...new Set(raw.map((l) => l.trim()).filter(Boolean))].sort();
        expect(result).toMatchObject({ ok: true, contact: { lists: expected(lists), tags: expected(tags) } });
      }),
      { numRuns: 500 },
    );
  });
});
