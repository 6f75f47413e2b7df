import { toApiRecord } from './record-shape';

describe('toApiRecord', () => {
  it('R-D1: shows a row in camelCase, dates as ISO strings, without the tenant id', () => {
    expect(
      toApiRecord({
        tenant_id: 't',
        contact_id: 'c',
        first_open_at: new Date('2026-01-02T03:04:05Z'),
        ip_truncated: '192.0.2.0',
        lists: ['a'],
        consent: null,
      }),
    ).toEqual({
      contactId: 'c',
      firstOpenAt: '2026-01-02T03:04:05.000Z',
      ipTruncated: '192.0.2.0',
      lists: ['a'],
      consent: null,
    });
  });
});
