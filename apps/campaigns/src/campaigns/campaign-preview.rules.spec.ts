import { parsePreviewRequest, parseTestRequest } from './campaign-preview.rules';

const ID = '2b0c9a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

describe('preview and test requests (API.md /preview, /test)', () => {
  it('R-S1: preview takes one contact id', () => {
    expect(parsePreviewRequest({ contactId: ID.toUpperCase() })).toEqual({ ok: true, value: { contactId: ID } });
    for (const body of [{}, { contactId: 'x' }, null, [], { contactId: 7 }])
      expect(parsePreviewRequest(body)).toEqual({
        ok: false,
        details: [{ field: 'contactId', reason: expect.any(String) }],
      });
  });

  it('R-S1: a test send takes 1 to 10 addresses, normalised and distinct', () => {
    expect(parseTestRequest({ emails: ['A@Example.com', 'a@example.com', 'b@example.com'] })).toEqual({
      ok: true,
      value: { emails: ['a@example.com', 'b@example.com'], contactId: null },
    });
    expect(parseTestRequest({ emails: ['a@example.com'], contactId: ID })).toEqual({
      ok: true,
      value: { emails: ['a@example.com'], contactId: ID },
    });
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}@example.com`);
    for (const body of [{}, { emails: [] }, { emails: eleven }, { emails: 'a@example.com' }])
      expect(parseTestRequest(body)).toEqual({ ok: false, details: [{ field: 'emails', reason: expect.any(String) }] });
    expect(parseTestRequest({ emails: ['ok@example.com', 'nope', 3], contactId: 'x' })).toEqual({
      ok: false,
      details: [
        { field: 'emails[1]', reason: expect.any(String) },
        { field: 'emails[2]', reason: expect.any(String) },
        { field: 'contactId', reason: expect.any(String) },
      ],
    });
  });
});
