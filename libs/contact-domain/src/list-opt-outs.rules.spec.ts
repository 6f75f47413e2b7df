import { keptOff, listsKeptOn, resubscribe, resubscribeRefusal } from './list-opt-outs.rules';

describe('list opt-out rules (R-U4, R-D1)', () => {
  it('R-U4: an upsert keeps the person off the lists they left, in the order given', () => {
    expect(listsKeptOn(['alpha', 'beta', 'gamma'], ['beta'])).toEqual(['alpha', 'gamma']);
    expect(listsKeptOn(['alpha', 'beta'], [])).toEqual(['alpha', 'beta']);
    expect(listsKeptOn(['beta'], ['beta', 'delta'])).toEqual([]);
  });

  it('R-U4: an import row naming a list the person left is reported kept off, naming the lists', () => {
    expect(keptOff({ status: 'active', listsLeft: ['beta', 'delta'] }, ['alpha', 'beta', 'delta'])).toEqual({
      field: 'lists',
      reason: 'list opt-out: beta, delta',
    });
    expect(keptOff({ status: 'active', listsLeft: ['beta'] }, ['alpha'])).toBeNull();
    expect(keptOff({ status: 'unsubscribed', listsLeft: [] }, ['alpha'])).toBeNull();
  });

  it('R-D1: a row for a restricted contact is kept whatever it names', () => {
    expect(keptOff({ status: 'restricted', listsLeft: [] }, [])).toEqual({ field: 'row', reason: 'restricted' });
    expect(keptOff({ status: 'restricted', listsLeft: ['beta'] }, ['beta'])).toEqual({
      field: 'row',
      reason: 'restricted',
    });
  });

  it('R-U4: a resubscribe rejoins the named lists and forgets them as left; other left lists stay left', () => {
    expect(resubscribe({ lists: ['alpha'], listsLeft: ['beta', 'delta'] }, ['beta', 'alpha'], false)).toEqual({
      status: 'active',
      lists: ['alpha', 'beta'],
      listsLeft: ['delta'],
    });
  });

  it('R-U4, R-S8: a resubscribe lifts a full opt-out or a bounce; a suppression the tenant made keeps it suppressed', () => {
    expect(resubscribe({ lists: ['alpha'], listsLeft: [] }, [], false)).toEqual({
      status: 'active',
      lists: ['alpha'],
      listsLeft: [],
    });
    expect(resubscribe({ lists: ['alpha'], listsLeft: [] }, [], true).status).toBe('suppressed');
    expect(resubscribeRefusal('unsubscribed')).toBeNull();
    expect(resubscribeRefusal('bounced')).toBeNull();
  });

  it('R-D1: a restricted contact cannot be resubscribed', () => {
    expect(resubscribeRefusal('restricted')).toEqual({ code: 'contact_restricted', message: expect.any(String) });
  });
});
