import { createHash } from 'node:crypto';
import {
  generateApiKey,
  hashesEqual,
  hashSecret,
  isWellFormedApiKey,
  parseBearer,
  secretsEqual,
} from './api-key.rules';

describe('API key rules', () => {
  it('R-X1: a key is mk_ + base64url of 32 random bytes, different every time', () => {
    const keys = Array.from({ length: 100 }, () => generateApiKey());
    for (const key of keys) {
      expect(key).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
      expect(isWellFormedApiKey(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(100);
  });

  it('R-X1: the stored form is the SHA-256 hex of the whole key', () => {
    const key = generateApiKey();
    expect(hashSecret(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashSecret(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('R-X1: digests compare in constant time and malformed ones never match', () => {
    const h = hashSecret(generateApiKey());
    expect(hashesEqual(h, h)).toBe(true);
    expect(hashesEqual(h, hashSecret(generateApiKey()))).toBe(false);
    expect(hashesEqual(h, h.slice(1))).toBe(false);
    expect(hashesEqual(h.toUpperCase(), h)).toBe(false);
    expect(secretsEqual('a-long-bootstrap-token', 'a-long-bootstrap-token')).toBe(true);
    expect(secretsEqual('a-long-bootstrap-token', 'a-long-bootstrap-tokeN')).toBe(false);
    expect(secretsEqual('short', 'a-long-bootstrap-token')).toBe(false);
  });

  it.each(['mk_', 'mk_short', `mk_${'a'.repeat(44)}`, `xx_${'a'.repeat(43)}`, `mk_${'a'.repeat(42)}!`])(
    'R-X1: %s is not a well-formed key',
    (candidate) => expect(isWellFormedApiKey(candidate)).toBe(false),
  );

  it('reads a bearer token and says what is wrong with a bad header', () => {
    expect(parseBearer('Bearer mk_abc')).toEqual({ ok: true, token: 'mk_abc' });
    expect(parseBearer('bearer mk_abc')).toEqual({ ok: true, token: 'mk_abc' });
    expect(parseBearer(undefined)).toMatchObject({ ok: false });
    expect(parseBearer('Basic dXNlcjpwYXNz')).toMatchObject({ ok: false });
    expect(parseBearer('Bearer two words')).toMatchObject({ ok: false });
    expect(parseBearer(['Bearer a', 'Bearer b'])).toMatchObject({ ok: false });
  });
});
