import { keyedAddressHash, newDataKey, open, seal, unwrapDataKey, wrapDataKey } from './sealed-box';

const TENANT = '8b0e5a52-2d5f-4d55-9a5f-0b0d6c1e0a11';
const OTHER = '0f9d5f7e-7c1f-4a4b-8a51-1b2c3d4e5f60';

describe('sealed boxes (R-P2 crypto-shredding, R-D2)', () => {
  it('R-P2: a sealed field opens with the tenant key and not without it', () => {
    const key = newDataKey();
    const box = seal(key, TENANT, { email: 'ada@example.com' });
    expect(box).not.toContain('ada');
    expect(open(key, TENANT, box)).toEqual({ email: 'ada@example.com' });
    expect(open(newDataKey(), TENANT, box)).toBeNull();
  });

  it('R-P2: a box cannot be opened as another tenant’s, nor altered', () => {
    const key = newDataKey();
    const box = seal(key, TENANT, 'x');
    expect(open(key, OTHER, box)).toBeNull();
    const bytes = Buffer.from(box, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(open(key, TENANT, bytes.toString('base64url'))).toBeNull();
  });

  it('R-P2: data keys are stored wrapped under the master key and bound to their tenant', () => {
    const master = newDataKey();
    const key = newDataKey();
    const wrapped = wrapDataKey(master, TENANT, key);
    expect(unwrapDataKey(master, TENANT, wrapped)).toEqual(key);
    expect(unwrapDataKey(master, OTHER, wrapped)).toBeNull();
    expect(unwrapDataKey(newDataKey(), TENANT, wrapped)).toBeNull();
  });

  it('R-D2: the keyed address hash is stable per tenant key and differs across keys', () => {
    const key = newDataKey();
    expect(keyedAddressHash(key, 'ada@example.com')).toBe(keyedAddressHash(key, 'ada@example.com'));
    expect(keyedAddressHash(key, 'ada@example.com')).not.toBe(keyedAddressHash(newDataKey(), 'ada@example.com'));
    expect(keyedAddressHash(key, 'ada@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });
});
