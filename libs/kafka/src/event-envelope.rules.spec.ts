import { isEventEnvelope } from './event-envelope.rules';

const good = {
  id: '0b5c2c9e-6a57-4f0e-9d43-5f1f3f0c2a11',
  type: 'platform.probe',
  version: 1,
  tenantId: null,
  region: 'NA',
  occurredAt: '2026-12-07T10:00:00.000Z',
  data: { n: 1 },
};

describe('isEventEnvelope: what a consumer can process at all (poison messages, issue 24)', () => {
  it('accepts an envelope with a UUID id, a UUID or null tenant, a type, an integer version and object data', () => {
    expect(isEventEnvelope(good)).toBe(true);
    expect(isEventEnvelope({ ...good, tenantId: 'a1b2c3d4-0000-4000-8000-000000000000' })).toBe(true);
  });

  it.each([
    ['null', null],
    ['an array', [good]],
    ['a string', 'event'],
    ['no id', { ...good, id: undefined }],
    ['an id that is not a UUID', { ...good, id: 'not-a-uuid' }],
    ['a tenant that is not a UUID', { ...good, tenantId: "x'; DROP TABLE contacts; --" }],
    ['a tenant of another type', { ...good, tenantId: 7 }],
    ['no type', { ...good, type: undefined }],
    ['a fractional version', { ...good, version: 1.5 }],
    ['a version as text', { ...good, version: '1' }],
    ['no data', { ...good, data: undefined }],
    ['null data', { ...good, data: null }],
  ])('refuses %s', (_name, value) => {
    expect(isEventEnvelope(value)).toBe(false);
  });
});
