import { csvRecordToInput, fieldWithInvalidText, planColumns } from './import-row.rules';

describe('import columns (R-C6)', () => {
  it('maps dotted columns to the API body; empty cells are left out', () => {
    const plan = planColumns([
      'email',
      'consent.givenAt',
      'consent.explicit',
      'attributes.plan',
      'lists',
      'trackingConsent',
    ]);
    expect(plan.problems).toEqual([]);
    expect(csvRecordToInput(plan, ['a@example.com', '2025-01-01T00:00:00Z', 'yes', 'gold', 'x;y', ''])).toEqual({
      email: 'a@example.com',
      consent: { givenAt: '2025-01-01T00:00:00Z', explicit: true },
      attributes: { plan: 'gold' },
      lists: ['x', 'y'],
    });
  });

  it('R-C6: reports unknown, repeated and missing columns on the header', () => {
    const plan = planColumns(['mail', 'firstName', 'firstName', 'consent.when']);
    expect(plan.problems.map((p) => p.field)).toEqual(['mail', 'firstName', 'consent.when', 'email']);
    expect(plan.setters.filter(Boolean)).toHaveLength(1);
  });

  it('finds the field holding undecodable bytes', () => {
    expect(fieldWithInvalidText({ email: 'a@b.c', consent: { source: 'x\uFFFDy' } })).toBe('consent.source');
    expect(fieldWithInvalidText({ email: 'a@b.c' })).toBeNull();
  });
});
