import { decodeSuppressionCursor, encodeSuppressionCursor } from './suppression.rules';

describe('suppression list cursors (R-U5)', () => {
  it('R-U5: a cursor handed out decodes to the address the next page starts after', () => {
    expect(decodeSuppressionCursor(encodeSuppressionCursor('zoë@example.com'))).toBe('zoë@example.com');
  });

  it('R-X6: a cursor whose bytes hold a NUL or are not UTF-8 is no cursor (a 400, not a database error)', () => {
    expect(decodeSuppressionCursor('AAAA')).toBeNull();
    expect(decodeSuppressionCursor(Buffer.from([0x61, 0xff, 0x62]).toString('base64url'))).toBeNull();
    expect(decodeSuppressionCursor('%%%')).toBeNull();
  });
});
