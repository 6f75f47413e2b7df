import { planSuppressionColumns, suppressionOfRecord } from './suppression-import.rules';

describe('suppression CSV rules (R-U5)', () => {
  it('R-U5: reads email and reason wherever they are; other and repeated columns are reported, not fatal', () => {
    const plan = planSuppressionColumns(['source', ' email ', 'reason', 'email']);
    expect(plan).toEqual({
      ok: true,
      columns: {
        email: 1,
        reason: 2,
        count: 4,
        problems: [
          { field: 'source', reason: expect.stringContaining('unknown column') },
          { field: 'email', reason: 'repeated column: only the first one is read' },
        ],
      },
    });
    expect(planSuppressionColumns(['address', 'reason'])).toEqual({
      ok: false,
      problems: [{ field: 'email', reason: 'column is missing' }],
    });
  });

  it('R-U5, R-C1: a row is checked by the single-add rule: normal form, default reason, every problem named', () => {
    const plan = planSuppressionColumns(['email', 'reason']);
    if (!plan.ok) throw new Error('plan');
    expect(suppressionOfRecord(plan.columns, [' Ann@Example.COM ', ''])).toEqual({
      ok: true,
      suppression: { email: 'ann@example.com', reason: 'manual' },
    });
    expect(suppressionOfRecord(plan.columns, ['nope', 'x'.repeat(201)])).toEqual({
      ok: false,
      errors: [
        { field: 'email', reason: expect.any(String) },
        { field: 'reason', reason: 'is longer than 200 characters' },
      ],
    });
    expect(suppressionOfRecord(plan.columns, ['a@example.com'])).toEqual({
      ok: false,
      errors: [{ field: 'row', reason: 'has 1 fields; the header has 2' }],
    });
    expect(suppressionOfRecord(plan.columns, ['b\uFFFD@example.com', ''], true)).toEqual({
      ok: false,
      errors: [{ field: 'email', reason: 'is not valid UTF-8' }],
    });
  });
});
