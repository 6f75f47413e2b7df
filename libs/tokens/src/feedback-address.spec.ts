import { LinkTokenSigner, expectKind } from './index';
import { bounceAddress, feedbackMessageId, tokenFromBounceAddress, tokenFromMessageId } from './feedback-address';

const signer = new LinkTokenSigner([{ kid: 'k1', secret: 'feedback-address-spec-secret-0123456789' }]);
const claims = {
  kind: 'bounce' as const,
  tenantId: '5f0c6c1e-8f5e-4c36-9d36-0d7f9c1d2a10',
  region: 'EEA' as const,
  campaignId: '0b8d1a8e-3f0f-4b59-9a52-1f5b2f8e6c01',
  contactId: '9a1e0e35-6a0c-4e43-8d3f-6c2b7d4e1f22',
};

describe('R-S8: the VERP Return-Path and the Message-ID carry the signed bounce token', () => {
  it('R-S8: bounce+{token}@domain round-trips to the token, and the claims name tenant, campaign and contact', () => {
    const token = signer.mint(claims);
    const address = bounceAddress(token, 'bounces.example');
    expect(address).toBe(`bounce+${token}@bounces.example`);
    expect(tokenFromBounceAddress(address)).toBe(token);
    expect(expectKind(signer.verify(tokenFromBounceAddress(address)!), 'bounce')).toStrictEqual(claims);
  });

  it('R-S8: other mailboxes are not bounce addresses', () => {
    const token = signer.mint(claims);
    for (const other of [
      `unsubscribe+${token}@x.example`,
      `bounce-${token}@x.example`,
      `bounce+@x.example`,
      `bounce+${token}`,
      `bounce+${token}@a@b.example`,
      `bounce+${token}.x@x.example`,
    ]) {
      expect(tokenFromBounceAddress(other)).toBeNull();
    }
  });

  it('R-S8, R-S3: each Message-ID is unique and gives back its token; foreign Message-IDs give none', () => {
    const token = signer.mint(claims);
    const a = feedbackMessageId(token, 'links.example');
    const b = feedbackMessageId(token, 'links.example');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^<[A-Za-z0-9_-]+\.[0-9a-f]{16}@links\.example>$/);
    expect(a).not.toContain('example.com');
    expect(tokenFromMessageId(a)).toBe(token);
    expect(tokenFromMessageId(a.slice(1, -1))).toBe(token);
    for (const other of ['<0123456789abcdef0123456789abcdef@links.example>', '<x@y>', '', `<${token}@links.example>`]) {
      expect(tokenFromMessageId(other)).toBeNull();
    }
  });
});
