import { isValidKid, TokenKeyring } from './token-keyring';

const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'secret-b-0123456789-0123456789-xyz';

describe('R-K1: token keyring', () => {
  it('R-K1: the first key signs, every key can be found by kid', () => {
    const ring = new TokenKeyring([
      { kid: 'k2', secret: SECRET_B },
      { kid: 'k1', secret: SECRET_A },
    ]);
    expect(ring.signing.kid).toBe('k2');
    expect(ring.signing.kidBytes).toEqual(Buffer.from('k2'));
    expect(ring.find('k1')?.kid).toBe('k1');
    expect(ring.find('k3')).toBeUndefined();
    expect(ring.kids).toEqual(['k2', 'k1']);
  });

  it('R-K1: refuses an empty key list', () => {
    expect(() => new TokenKeyring([])).toThrow(/at least one key/);
  });

  it('R-K1: refuses invalid kids (1-8 ASCII letters/digits)', () => {
    for (const kid of ['', 'abcdefghi', 'k-1', 'k 1', 'kü', 'k:1']) {
      expect(() => new TokenKeyring([{ kid, secret: SECRET_A }])).toThrow(/kid/);
    }
    expect(isValidKid('abcdefgh')).toBe(true);
    expect(isValidKid('K9')).toBe(true);
    expect(isValidKid(7)).toBe(false);
  });

  it('R-K1: refuses secrets shorter than 32 characters without echoing them', () => {
    const short = 'x'.repeat(31);
    expect(() => new TokenKeyring([{ kid: 'k1', secret: short }])).toThrow(/shorter than 32/);
    try {
      new TokenKeyring([{ kid: 'k1', secret: short }]);
    } catch (error) {
      expect(String(error)).not.toContain(short);
    }
  });

  it('R-K1: refuses duplicate kids', () => {
    expect(
      () =>
        new TokenKeyring([
          { kid: 'k1', secret: SECRET_A },
          { kid: 'k1', secret: SECRET_B },
        ]),
    ).toThrow(/duplicate/);
  });
});
