import { projectionCaughtUp } from './projection-freshness.rules';

describe('projectionCaughtUp (R-S1: a campaign audience includes contacts written before the request)', () => {
  it('caught up when every partition is committed up to its end', () => {
    expect(
      projectionCaughtUp([
        { low: '0', high: '10', committed: '10' },
        { low: '5', high: '5', committed: '5' },
      ]),
    ).toBe(true);
  });

  it('behind while one partition is committed short of its end', () => {
    expect(
      projectionCaughtUp([
        { low: '0', high: '10', committed: '10' },
        { low: '0', high: '8', committed: '7' },
      ]),
    ).toBe(false);
  });

  it('a committed offset past the end taken earlier counts as caught up', () => {
    expect(projectionCaughtUp([{ low: '0', high: '10', committed: '12' }])).toBe(true);
  });

  it('a partition without a commit is caught up only if it holds nothing', () => {
    expect(projectionCaughtUp([{ low: '3', high: '3', committed: '-1' }])).toBe(true);
    expect(projectionCaughtUp([{ low: '0', high: '1', committed: '-1' }])).toBe(false);
  });

  it('offsets beyond 2^53 compare exactly', () => {
    expect(projectionCaughtUp([{ low: '0', high: '9007199254740993', committed: '9007199254740992' }])).toBe(false);
  });

  it('no partitions: nothing to wait for', () => {
    expect(projectionCaughtUp([])).toBe(true);
  });
});
