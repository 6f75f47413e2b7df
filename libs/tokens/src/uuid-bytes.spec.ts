import fc from 'fast-check';
import { isNilUuid, isUuid, NIL_UUID, readUuid, writeUuid } from './uuid-bytes';

describe('R-K1: UUID bytes', () => {
  it('R-K1: round-trips UUIDs through 16 bytes (lower-case out)', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const bytes = Buffer.alloc(20);
        expect(writeUuid(uuid, bytes, 2)).toBe(true);
        expect(bytes.subarray(2, 18).toString('hex')).toBe(uuid.replace(/-/g, ''));
        expect(readUuid(bytes, 2)).toBe(uuid);
      }),
    );
    const upper = 'A0BAD82E-8BD2-521A-8000-000700000014';
    const bytes = Buffer.alloc(16);
    expect(writeUuid(upper, bytes, 0)).toBe(true);
    expect(readUuid(bytes, 0)).toBe(upper.toLowerCase());
  });

  it('R-K1: rejects anything but the canonical 8-4-4-4-12 form', () => {
    for (const bad of [
      '',
      'a0bad82e8bd2521a8000000700000014',
      'a0bad82e-8bd2-521a-8000-00070000001',
      'a0bad82e-8bd2-521a-8000-0007000000145',
      'a0bad82e-8bd2-521a-8000_000700000014',
      'g0bad82e-8bd2-521a-8000-000700000014',
      '{0bad82e-8bd2-521a-8000-00070000001}',
      ' a0bad82e-8bd2-521a-8000-00070000001',
    ]) {
      expect(isUuid(bad)).toBe(false);
    }
    expect(isUuid(42)).toBe(false);
    expect(isUuid(NIL_UUID)).toBe(true);
  });

  it('R-K1: recognises the nil UUID', () => {
    const bytes = Buffer.alloc(17);
    expect(isNilUuid(bytes, 1)).toBe(true);
    bytes[16] = 1;
    expect(isNilUuid(bytes, 1)).toBe(false);
    expect(isNilUuid(bytes, 0)).toBe(true); // bytes 0..15 are still zero
  });
});
