import {
  contactOfBox,
  keyedAddressHash,
  newDataKey,
  open,
  openContactBox,
  seal,
  sealForContact,
  unwrapContactKey,
  unwrapDataKey,
  wrapContactKey,
  wrapDataKey,
} from './sealed-box';

const TENANT = '8b0e5a52-2d5f-4d55-9a5f-0b0d6c1e0a11';
const OTHER = '0f9d5f7e-7c1f-4a4b-8a51-1b2c3d4e5f60';
const ADA = '3c6e1f0a-9b7d-4e2a-8c5b-6d4f2a1e0b9c';
const BOB = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

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

  it('R-D1: a contact box opens with that contact’s key only, and names the contact in clear', () => {
    const ada = newDataKey();
    const box = sealForContact(ada, TENANT, ADA, { email: 'ada@example.com' });
    expect(box).not.toContain('ada');
    expect(contactOfBox(box)).toBe(ADA);
    expect(openContactBox(ada, TENANT, box)).toEqual({ email: 'ada@example.com' });
    expect(openContactBox(newDataKey(), TENANT, box)).toBeNull();
    expect(openContactBox(ada, OTHER, box)).toBeNull();
    // A tenant box is not a contact box, and the other way round.
    expect(contactOfBox(seal(ada, TENANT, 'x'))).toBeNull();
    expect(open(ada, TENANT, box)).toBeNull();
    expect(openContactBox(ada, TENANT, sealForContact(ada, TENANT, ADA, '{"a":1}', true))).toEqual({ a: 1 });
  });

  it('R-D1: a contact box cannot be passed off as another contact’s, nor altered', () => {
    const key = newDataKey();
    const bytes = Buffer.from(sealForContact(key, TENANT, ADA, 'x'), 'base64url');
    Buffer.from(BOB.replace(/-/g, ''), 'hex').copy(bytes, 1);
    expect(contactOfBox(bytes.toString('base64url'))).toBe(BOB);
    expect(openContactBox(key, TENANT, bytes.toString('base64url'))).toBeNull();
    const altered = Buffer.from(sealForContact(key, TENANT, ADA, 'x'), 'base64url');
    altered[altered.length - 1] ^= 1;
    expect(openContactBox(key, TENANT, altered.toString('base64url'))).toBeNull();
  });

  it('R-D1: contact keys are stored wrapped under the tenant key, bound to tenant and contact', () => {
    const tenantKey = newDataKey();
    const key = newDataKey();
    const wrapped = wrapContactKey(tenantKey, TENANT, ADA, key);
    expect(unwrapContactKey(tenantKey, TENANT, ADA, wrapped)).toEqual(key);
    expect(unwrapContactKey(tenantKey, TENANT, BOB, wrapped)).toBeNull();
    expect(unwrapContactKey(tenantKey, OTHER, ADA, wrapped)).toBeNull();
    expect(unwrapContactKey(newDataKey(), TENANT, ADA, wrapped)).toBeNull();
  });
});
