import { bounceAddress, tokenFromBounceAddress } from './feedback-address';
import { LinkTokenSigner } from './link-token.signer';
import { MAX_KID_LENGTH, TokenKeyring } from './token-keyring';
import { VERP_TOKEN_BYTES, VERP_TOKEN_LENGTH, VerpTokenSigner, verpKeyFingerprint } from './verp-token';

const KEY = { kid: 'k1', secret: 'verp-token-spec-secret-0123456789abcdef' };
const OTHER_KEY = { kid: 'k2', secret: 'verp-token-spec-other-0123456789abcdef' };
const claims = {
  kind: 'bounce' as const,
  tenantId: '5f0c6c1e-8f5e-4c36-9d36-0d7f9c1d2a10',
  contactId: '9a1e0e35-6a0c-4e43-8d3f-6c2b7d4e1f22',
};

const signerOf = (...keys: { kid: string; secret: string }[]) => new VerpTokenSigner(new TokenKeyring(keys));
/** Flips one bit of the byte at `index` and spells the token again. */
function flipped(token: string, index: number): string {
  const bytes = Buffer.from(token, 'base64url');
  bytes[index] ^= 0x01;
  return bytes.toString('base64url');
}

describe('R-S8, R-K1: the compact VERP token fits the 64-octet local part', () => {
  const signer = signerOf(KEY);

  it('R-S8: mint and verify round-trip tenant and contact; the token is 56 base64url characters', () => {
    const token = signer.mint(claims);
    expect(token).toHaveLength(VERP_TOKEN_LENGTH);
    expect(VERP_TOKEN_LENGTH).toBe(56);
    expect(token).toMatch(/^[A-Za-z0-9_-]{56}$/);
    expect(signer.verify(token, 'bounce')).toStrictEqual(claims);
    expect(Buffer.from(token, 'base64url')).toHaveLength(VERP_TOKEN_BYTES);
  });

  it.each(['1', 'k', 'abcd1234', 'Z'.repeat(MAX_KID_LENGTH)])(
    'R-S8: with kid %s, bounce+{token} is at most 64 octets (RFC 5321 §4.5.3.1.1)',
    (kid) => {
      const token = signerOf({ kid, secret: KEY.secret }).mint(claims);
      const address = bounceAddress(token, 'bounces.example');
      const local = address.slice(0, address.indexOf('@'));
      expect(Buffer.byteLength(local, 'utf8')).toBeLessThanOrEqual(64);
      expect(local).toHaveLength(63);
      expect(tokenFromBounceAddress(address)).toBe(token);
    },
  );

  it('R-K1: a tampered body, fingerprint or tag is refused', () => {
    const token = signer.mint(claims);
    for (let i = 0; i < VERP_TOKEN_BYTES; i++) expect(signer.verify(flipped(token, i), 'bounce')).toBeNull();
  });

  it('R-K1: a token of another key, or of a key rotated out, is refused; a key still configured verifies', () => {
    const token = signer.mint(claims);
    expect(signerOf(OTHER_KEY).verify(token, 'bounce')).toBeNull();
    // Same kid, another secret: the fingerprint matches, the tag does not.
    expect(signerOf({ kid: KEY.kid, secret: OTHER_KEY.secret }).verify(token, 'bounce')).toBeNull();
    // Rotation: the new key signs, the old one still verifies what is out in mailboxes.
    const rotated = signerOf(OTHER_KEY, KEY);
    expect(rotated.verify(token, 'bounce')).toStrictEqual(claims);
    expect(signer.verify(rotated.mint(claims), 'bounce')).toBeNull();
  });

  it('R-K1: kids that share a fingerprint both verify (each key of that fingerprint is tried)', () => {
    const target = verpKeyFingerprint('k1');
    let twin = '';
    for (let i = 0; twin === ''; i++) if (verpKeyFingerprint(`t${i}`) === target) twin = `t${i}`;
    const both = signerOf({ kid: twin, secret: OTHER_KEY.secret }, KEY);
    expect(both.verify(signer.mint(claims), 'bounce')).toStrictEqual(claims);
    expect(signer.verify(both.mint(claims), 'bounce')).toBeNull();
  });

  it('R-K1: a token of another kind, or of an unknown version, is refused', () => {
    const unsubscribe = signer.mint({ ...claims, kind: 'unsubscribe' });
    expect(signer.verify(unsubscribe, 'bounce')).toBeNull();
    expect(signer.verify(unsubscribe, 'unsubscribe')).toStrictEqual({ ...claims, kind: 'unsubscribe' });
    expect(signer.verify(signer.mint(claims), 'unsubscribe')).toBeNull();
    // Version and kind are signed: changing them breaks the tag, and an unknown version is refused before it.
    expect(signer.verify(flipped(signer.mint(claims), 0), 'bounce')).toBeNull();
  });

  it('R-K1: wrong lengths, characters outside the alphabet and long link tokens are not VERP tokens', () => {
    const token = signer.mint(claims);
    const links = new LinkTokenSigner([KEY]);
    const long = links.mint({ ...claims, region: 'NA', campaignId: null });
    for (const bad of ['', token.slice(1), `${token}A`, `${token.slice(0, 55)}=`, `${token.slice(0, 55)}.`, long]) {
      expect(signer.verify(bad, 'bounce')).toBeNull();
    }
    expect(() => signer.mint({ ...claims, tenantId: 'not-a-uuid' })).toThrow();
    expect(() => signer.mint({ ...claims, kind: 'open' as never })).toThrow();
  });

  it('R-S8: LinkTokenSigner mints and verifies the compact form with the same keys', () => {
    const links = new LinkTokenSigner([KEY]);
    const token = links.mintVerp(claims);
    expect(signer.verify(token, 'bounce')).toStrictEqual(claims);
    expect(links.verifyVerp(token, 'bounce')).toStrictEqual(claims);
    expect(links.verify(token)).toBeNull();
  });
});
