import { bodyDepthDetail, MAX_BODY_DEPTH, TOO_DEEP_REASON } from './body-depth.rules';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { all: value };
  return value;
}

describe('bodyDepthDetail (R-X6: a body nested too deep is a 400, not a stack overflow)', () => {
  it(`R-X6: accepts a body nested ${MAX_BODY_DEPTH} levels deep, and flat values`, () => {
    expect(bodyDepthDetail(nested(MAX_BODY_DEPTH))).toBeNull();
    for (const flat of [null, 'x', 1, true, {}, []]) expect(bodyDepthDetail(flat)).toBeNull();
  });

  it('R-X6: names the field where a body nests one level too deep', () => {
    const detail = bodyDepthDetail({ audience: nested(MAX_BODY_DEPTH) });
    expect(detail?.reason).toBe(TOO_DEEP_REASON);
    expect(detail?.field).toMatch(/^audience\.0\.all\.0\.all\./);
  });

  it('R-X6: a bare array 100,000 levels deep is refused without overflowing the stack', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(bodyDepthDetail(JSON.parse(text))).toEqual({ field: expect.any(String), reason: TOO_DEEP_REASON });
  });
});
