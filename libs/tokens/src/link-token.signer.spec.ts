import fc from 'fast-check';
import { expectKind, type LinkTokenClaims, type LinkTokenKind } from './link-token';
import { LINK_TOKEN_TAG_BYTES, LinkTokenSigner, MAX_LINK_TOKEN_LENGTH } from './link-token.signer';

const OLD_KEY = { kid: 'k1', secret: 'old-secret-0123456789abcdef0123456789' };
const NEW_KEY = { kid: 'k2', secret: 'new-secret-0123456789abcdef0123456789' };

const TENANT = '0b9f3c8e-2f4a-4d6b-9c1e-7a5d3f2b1c0a';
const CAMPAIGN = '5e2d7a1c-8b3f-4e9a-b6c4-1d0f2e3a4b5c';
const CONTACT = 'c7a1e4d2-6f3b-4a8c-9e5d-2b1f0a3c4d5e';
const EMAIL = 'jane.doe@example.com';

const claimsOf = (kind: LinkTokenKind, overrides: Partial<LinkTokenClaims> = {}): LinkTokenClaims => ({
  kind,
  tenantId: TENANT,
  region: 'EEA',
  campaignId: CAMPAIGN,
  contactId: CONTACT,
  ...(kind === 'click' ? { linkIndex: 3 } : {}),
  ...overrides,
});

const bytesOf = (token: string): Buffer => Buffer.from(token, 'base64url');
const tokenOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

describe('R-K1: LinkTokenSigner', () => {
  const signer = new LinkTokenSigner([OLD_KEY]);

  it.each<LinkTokenKind>(['open', 'click', 'unsubscribe', 'bounce', 'confirm'])(
    'R-K1: a %s token round-trips',
    (kind) => {
      const claims = claimsOf(kind);
      const token = signer.mint(claims);
      expect(signer.verify(token)).toStrictEqual(claims);
      expect(expectKind(signer.verify(token), kind)).toStrictEqual(claims);
    },
  );

  it('R-C8: an unsubscribe token never confirms a double opt-in, and a confirm token never unsubscribes', () => {
    const unsubscribe = signer.mint(claimsOf('unsubscribe', { campaignId: null }));
    const confirm = signer.mint(claimsOf('confirm', { campaignId: null }));
    expect(expectKind(signer.verify(unsubscribe), 'confirm')).toBeNull();
    expect(expectKind(signer.verify(confirm), 'unsubscribe')).toBeNull();
    expect(expectKind(signer.verify(confirm), 'confirm')).not.toBeNull();
  });

  it('R-K1: a token without a campaign round-trips with campaignId null', () => {
    const claims = claimsOf('unsubscribe', { campaignId: null, region: 'NA' });
    expect(signer.verify(signer.mint(claims))).toStrictEqual(claims);
  });

  it('R-K1: tokens use only the base64url alphabet (safe in paths and in unsubscribe+{token}@domain)', () => {
    for (const kind of ['open', 'click', 'unsubscribe'] as const) {
      const token = signer.mint(claimsOf(kind));
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('R-K1: flipping any single byte of the token makes it invalid', () => {
    for (const kind of ['open', 'click', 'unsubscribe'] as const) {
      const bytes = bytesOf(signer.mint(claimsOf(kind)));
      for (let position = 0; position < bytes.length; position++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const tampered = Buffer.from(bytes);
          tampered[position] ^= mask;
          expect(signer.verify(tokenOf(tampered))).toBeNull();
        }
      }
    }
  });

  it('R-K1: changing any single character of the token makes it invalid', () => {
    const token = signer.mint(claimsOf('click'));
    for (let position = 0; position < token.length; position++) {
      const original = token[position];
      const replacement = original === 'A' ? 'B' : 'A';
      expect(signer.verify(token.slice(0, position) + replacement + token.slice(position + 1))).toBeNull();
    }
  });

  it('R-K1: truncated tokens and tokens with trailing data do not verify', () => {
    const token = signer.mint(claimsOf('click'));
    for (let length = 0; length < token.length; length++) {
      expect(signer.verify(token.slice(0, length))).toBeNull();
    }
    const bytes = bytesOf(token);
    expect(signer.verify(tokenOf(bytes.subarray(0, bytes.length - 1)))).toBeNull();
    expect(signer.verify(tokenOf(Buffer.concat([bytes, Buffer.from([0])])))).toBeNull();
    expect(signer.verify(token + 'A')).toBeNull();
    expect(signer.verify(token + '=')).toBeNull();
    expect(signer.verify(token + '.')).toBeNull();
    expect(signer.verify(` ${token}`)).toBeNull();
  });

  it('R-K1: a token re-signed with a wrong secret under the same kid does not verify', () => {
    const forger = new LinkTokenSigner([{ kid: OLD_KEY.kid, secret: 'attacker-guess-0123456789abcdef0123' }]);
    const forged = forger.mint(claimsOf('unsubscribe'));
    expect(forger.verify(forged)).not.toBeNull();
    expect(signer.verify(forged)).toBeNull();
  });

  it('R-K1: a token signed with an unknown key does not verify', () => {
    const other = new LinkTokenSigner([{ kid: 'k9', secret: OLD_KEY.secret }]);
    expect(signer.verify(other.mint(claimsOf('open')))).toBeNull();
  });

  it('R-K1: rotation: old tokens verify while the old key is listed after the new one, and stop once it is removed', () => {
    const claims = claimsOf('click');
    const oldToken = new LinkTokenSigner([OLD_KEY]).mint(claims);

    const rotated = new LinkTokenSigner([NEW_KEY, OLD_KEY]);
    expect(rotated.verify(oldToken)).toStrictEqual(claims);
    const newToken = rotated.mint(claims);
    expect(newToken).not.toBe(oldToken);
    expect(bytesOf(newToken).includes(Buffer.from(NEW_KEY.kid))).toBe(true);
    expect(rotated.verify(newToken)).toStrictEqual(claims);

    const retired = new LinkTokenSigner([NEW_KEY]);
    expect(retired.verify(oldToken)).toBeNull();
    expect(retired.verify(newToken)).toStrictEqual(claims);
  });

  it('R-K1/R-U1: an open token is not accepted where an unsubscribe token is expected', () => {
    const open = signer.mint(claimsOf('open'));
    const claims = signer.verify(open);
    expect(claims?.kind).toBe('open');
    expect(expectKind(claims, 'unsubscribe')).toBeNull();
    expect(expectKind(claims, 'click')).toBeNull();
    expect(expectKind(claims, 'open')).not.toBeNull();
  });

  it('R-K1/R-S8: a bounce token and an unsubscribe token cannot stand in for each other', () => {
    const bounce = signer.verify(signer.mint(claimsOf('bounce')));
    const unsubscribe = signer.verify(signer.mint(claimsOf('unsubscribe')));
    expect(expectKind(bounce, 'unsubscribe')).toBeNull();
    expect(expectKind(bounce, 'bounce')).not.toBeNull();
    expect(expectKind(unsubscribe, 'bounce')).toBeNull();
  });

  it('R-K1: changing the kind byte of a genuine token breaks its tag (kind is signed)', () => {
    const bytes = bytesOf(signer.mint(claimsOf('open')));
    bytes[1] = 3; // open -> unsubscribe, same layout length
    expect(signer.verify(tokenOf(bytes))).toBeNull();
  });

  it('R-K1: the token carries no email; its decoded bytes show no @ outside the random tag', () => {
    const token = signer.mint(claimsOf('unsubscribe'));
    expect(token).not.toContain('@');
    const bytes = bytesOf(token);
    expect(bytes.includes(Buffer.from(EMAIL))).toBe(false);
    expect(bytes.includes(Buffer.from('example'))).toBe(false);
    // Everything but the tag is structure and ids; the tag is HMAC output and could hold 0x40 by chance.
    const signed = bytes.subarray(0, bytes.length - LINK_TOKEN_TAG_BYTES);
    expect(signed.includes(0x40)).toBe(false);
    // The token is exactly body (51) + kid length (1) + kid (2) + tag (16): no room for anything else.
    expect(bytes.length).toBe(51 + 1 + OLD_KEY.kid.length + LINK_TOKEN_TAG_BYTES);
  });

  it('R-K1: tokens for consecutive contact ids are unrelated (not enumerable)', () => {
    const first = bytesOf(signer.mint(claimsOf('open', { contactId: '00000000-0000-4000-8000-000000000001' })));
    const second = bytesOf(signer.mint(claimsOf('open', { contactId: '00000000-0000-4000-8000-000000000002' })));
    const tagOf = (b: Buffer) => b.subarray(b.length - LINK_TOKEN_TAG_BYTES);
    let differingBits = 0;
    for (let i = 0; i < LINK_TOKEN_TAG_BYTES; i++) {
      let x = tagOf(first)[i] ^ tagOf(second)[i];
      for (; x; x >>= 1) differingBits += x & 1;
    }
    // Unrelated 128-bit tags differ in ~64 bits; anything near 0 or 128 would mean structure.
    expect(differingBits).toBeGreaterThan(32);
    expect(differingBits).toBeLessThan(96);

    // Stepping the contact id of a genuine token without the key gives nothing valid.
    const stepped = Buffer.from(first);
    stepped[35 + 15] = 2; // last byte of the contact id
    expect(signer.verify(tokenOf(stepped))).toBeNull();
  });

  it('R-K1: tokens are compact (click token under 100 characters with a short kid)', () => {
    const lengths = Object.fromEntries(
      (['open', 'click', 'unsubscribe'] as const).map((kind) => [kind, signer.mint(claimsOf(kind)).length]),
    );
    console.log(`R-K1 token lengths (kid "${OLD_KEY.kid}"): ${JSON.stringify(lengths)}`);
    expect(lengths.click).toBeLessThan(100);
    expect(lengths.open).toBe(lengths.unsubscribe);

    const longestKid = new LinkTokenSigner([{ kid: 'abcdefgh', secret: OLD_KEY.secret }]);
    expect(longestKid.mint(claimsOf('click')).length).toBe(MAX_LINK_TOKEN_LENGTH);
    expect(new LinkTokenSigner([{ kid: 'dev1', secret: OLD_KEY.secret }]).mint(claimsOf('click')).length).toBe(99);
  });

  it('R-K1: oversized, empty and non-string input is rejected without throwing', () => {
    expect(signer.verify('')).toBeNull();
    expect(signer.verify('A'.repeat(10_000_000))).toBeNull();
    expect(signer.verify(signer.mint(claimsOf('open')).repeat(2))).toBeNull();
    for (const junk of [undefined, null, 42, {}, [], Buffer.from('x')]) {
      expect(signer.verify(junk as unknown as string)).toBeNull();
    }
  });

  it('R-K1: a correctly framed token with a random tag does not verify', () => {
    const genuine = bytesOf(signer.mint(claimsOf('open')));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: LINK_TOKEN_TAG_BYTES, maxLength: LINK_TOKEN_TAG_BYTES }), (tag) => {
        const forged = Buffer.from(genuine);
        forged.set(tag, forged.length - LINK_TOKEN_TAG_BYTES);
        fc.pre(!forged.equals(genuine));
        expect(signer.verify(tokenOf(forged))).toBeNull();
      }),
    );
  });

  it('R-K1: the constructor refuses an empty key list, a bad kid or a short secret', () => {
    expect(() => new LinkTokenSigner([])).toThrow();
    expect(() => new LinkTokenSigner([{ kid: 'bad-kid', secret: OLD_KEY.secret }])).toThrow();
    expect(() => new LinkTokenSigner([{ kid: 'toolongkid', secret: OLD_KEY.secret }])).toThrow();
    expect(() => new LinkTokenSigner([{ kid: 'k1', secret: 'too-short' }])).toThrow();
  });

  describe('properties', () => {
    const uuid = fc.uuid();
    const claimsArb: fc.Arbitrary<LinkTokenClaims> = fc.oneof(
      fc.record({
        kind: fc.constantFrom<LinkTokenKind>('open', 'unsubscribe'),
        tenantId: uuid,
        region: fc.constantFrom('NA' as const, 'EEA' as const),
        campaignId: fc.option(uuid, { nil: null }),
        contactId: uuid,
      }),
      fc.record({
        kind: fc.constant<LinkTokenKind>('click'),
        tenantId: uuid,
        region: fc.constantFrom('NA' as const, 'EEA' as const),
        campaignId: fc.option(uuid, { nil: null }),
        contactId: uuid,
        linkIndex: fc.integer({ min: 0, max: 0xffff }),
      }),
    );

    it('R-K1: for arbitrary claims, verify(mint(c)) equals c', () => {
      fc.assert(
        fc.property(claimsArb, (claims) => {
          const token = signer.mint(claims);
          expect(token.length).toBeLessThanOrEqual(MAX_LINK_TOKEN_LENGTH);
          expect(signer.verify(token)).toStrictEqual(claims);
        }),
        { numRuns: 2000 },
      );
    });

    it('R-K1: verify never throws, whatever the input', () => {
      const genuine = signer.mint(claimsOf('click'));
      const inputs = fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.fullUnicodeString({ maxLength: 120 }),
        fc.stringOf(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/'), {
          minLength: 90,
          maxLength: 110,
        }),
        fc.uint8Array({ minLength: 60, maxLength: 90 }).map((bytes) => {
          // Plausible framing: version 1, a known kind, kid "k1" in place; random elsewhere.
          const b = Buffer.from(bytes);
          b[0] = 1;
          b[1] = 1 + (b[1] % 4);
          return tokenOf(b);
        }),
        fc
          .tuple(fc.nat({ max: genuine.length }), fc.nat({ max: genuine.length }), fc.string({ maxLength: 4 }))
          .map(([start, end, insert]) => genuine.slice(0, start) + insert + genuine.slice(end)),
      );
      fc.assert(
        fc.property(inputs, (input) => {
          const result = signer.verify(input);
          expect(result === null || input === genuine).toBe(true);
        }),
        { numRuns: 5000 },
      );
      fc.assert(
        fc.property(fc.anything(), (input) => {
          expect(() => signer.verify(input as string)).not.toThrow();
        }),
      );
    });
  });
});
