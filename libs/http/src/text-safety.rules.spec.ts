import {
  INVALID_UTF8_REASON,
  LONE_SURROGATE_REASON,
  MAX_TEXT_DETAILS,
  NUL_REASON,
  textSafetyDetails,
  unsafeTextReason,
} from './text-safety.rules';

describe('text safety (R-X6)', () => {
  it('accepts ordinary text, accents, emoji (surrogate pairs) and U+FFFD from valid UTF-8', () => {
    expect(unsafeTextReason('Zoë 🙂 \uFFFD ok')).toBeNull();
    expect(textSafetyDetails({ firstName: 'Zoë', attributes: { mood: '🙂' }, lists: ['a', 'b'], n: 1 })).toEqual([]);
  });

  it('names a field holding a NUL', () => {
    expect(textSafetyDetails({ email: 'a@example.com', firstName: 'Ann\u0000' })).toEqual([
      { field: 'firstName', reason: NUL_REASON },
    ]);
  });

  it('names nested fields and array items with dotted paths', () => {
    expect(textSafetyDetails({ attributes: { city: '\u0000' }, tags: ['ok', 'x\u0000'] })).toEqual([
      { field: 'attributes.city', reason: NUL_REASON },
      { field: 'tags.1', reason: NUL_REASON },
    ]);
  });

  it('names a lone high or low surrogate, and accepts a pair', () => {
    expect(textSafetyDetails({ a: 'x\uD800', b: '\uDC00y', c: '\uD83D\uDE42' })).toEqual([
      { field: 'a', reason: LONE_SURROGATE_REASON },
      { field: 'b', reason: LONE_SURROGATE_REASON },
    ]);
  });

  it('refuses U+FFFD only when the bytes were not UTF-8', () => {
    expect(textSafetyDetails({ lastName: 'M\uFFFDller' })).toEqual([]);
    expect(textSafetyDetails({ lastName: 'M\uFFFDller' }, { invalidUtf8: true })).toEqual([
      { field: 'lastName', reason: INVALID_UTF8_REASON },
    ]);
  });

  it('names a bad key by its escaped name', () => {
    expect(textSafetyDetails({ attributes: { 'a\u0000b': 'v' } })).toEqual([
      { field: 'attributes.a\\u0000b', reason: `name ${NUL_REASON}` },
    ]);
  });

  it('names a bare string by its root', () => {
    expect(textSafetyDetails('\u0000')).toEqual([{ field: 'body', reason: NUL_REASON }]);
    expect(textSafetyDetails('\u0000', { root: 'email' })).toEqual([{ field: 'email', reason: NUL_REASON }]);
  });

  it('walks a query string as Fastify parses it (an object whose prototype has no prototype)', () => {
    function Query(this: Record<string, string>) {
      this.status = '\u0000';
    }
    Query.prototype = Object.create(null) as object;
    const query = new (Query as unknown as new () => Record<string, string>)();
    expect(textSafetyDetails(query)).toEqual([{ field: 'status', reason: NUL_REASON }]);
  });

  it('leaves objects that are not plain data (a streamed body) alone', () => {
    class Stream {
      chunk = '\u0000';
    }
    expect(textSafetyDetails(new Stream())).toEqual([]);
  });

  it('walks a body nested 100,000 deep without overflowing the stack', () => {
    let body: unknown = '\u0000';
    for (let i = 0; i < 100_000; i++) body = [body];
    const details = textSafetyDetails(body);
    expect(details).toHaveLength(1);
    expect(details[0].reason).toBe(NUL_REASON);
    expect(details[0].field?.split('.')).toHaveLength(100_000);
  });

  it(`names at most ${MAX_TEXT_DETAILS} fields`, () => {
    const body = Array.from({ length: 10_000 }, () => '\u0000');
    const details = textSafetyDetails(body);
    expect(details).toHaveLength(MAX_TEXT_DETAILS);
    expect(details[0]).toEqual({ field: '0', reason: NUL_REASON });
  });
});
