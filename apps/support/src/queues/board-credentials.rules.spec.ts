import { isBoardPageLoad, staffTokenOf } from './board-credentials.rules';

describe('queue board credentials', () => {
  it('R-A1: takes the staff token from Bearer or from the Basic password', () => {
    expect(staffTokenOf('Bearer st_abc')).toBe('st_abc');
    expect(staffTokenOf(`Basic ${Buffer.from('anyone:st_abc').toString('base64')}`)).toBe('st_abc');
    expect(staffTokenOf(`Basic ${Buffer.from('anyone:').toString('base64')}`)).toBeNull();
    expect(staffTokenOf(undefined)).toBeNull();
    expect(staffTokenOf(['Bearer a', 'Bearer b'])).toBeNull();
  });

  it('R-A3: only page loads are audited, not polling', () => {
    expect(isBoardPageLoad('GET', '/internal/queues', '/internal/queues')).toBe(true);
    expect(isBoardPageLoad('GET', '/internal/queues/api/queues', '/internal/queues')).toBe(false);
  });
});
