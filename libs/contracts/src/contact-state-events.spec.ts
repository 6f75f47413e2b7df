import {
  carriesContactState,
  contactStatesOf,
  type ContactChangedColumnsV4,
  type ContactStateV2,
} from './contact-state-events';

const alice: ContactStateV2 = {
  contactId: '0190f5c2-0000-7000-8000-000000000001',
  status: 'active',
  region: 'EEA',
  lawfulBasis: 'consent',
  consentWithdrawn: false,
  objected: false,
  trackingConsent: true,
  lists: ['news'],
  tags: ['vip'],
};
const bob: ContactStateV2 = {
  contactId: '0190f5c2-0000-7000-8000-000000000002',
  status: 'suppressed',
  region: 'NA',
  lawfulBasis: 'contract',
  consentWithdrawn: true,
  objected: false,
  trackingConsent: false,
  lists: [],
  tags: [],
};

const columns: ContactChangedColumnsV4 = {
  importId: 'imp',
  contactIds: [alice.contactId, bob.contactId],
  statuses: ['active', 'suppressed'],
  regions: ['EEA', 'NA'],
  lawfulBases: ['consent', 'contract'],
  consentWithdrawn: [false, true],
  trackingConsent: [true, false],
  lists: [['news'], []],
  tags: [['vip'], []],
  personal: 'sealed',
};

describe('contactStatesOf (contact.changed v2, v3 and v4 read alike, R-X5)', () => {
  it('gives the one contact of a v2 event, with no personal index', () => {
    expect(contactStatesOf({ version: 2, data: { ...alice, personal: 'sealed' } })).toEqual([
      { state: { ...alice, personal: 'sealed' }, personalIndex: null },
    ]);
  });

  it('gives the same states from a v3 batch and from its v4 columns, in order, indexing the sealed array', () => {
    const expected = [
      { state: alice, personalIndex: 0 },
      { state: bob, personalIndex: 1 },
    ];
    expect(contactStatesOf({ version: 3, data: { importId: 'imp', contacts: [alice, bob], personal: 's' } })).toEqual(
      expected,
    );
    expect(contactStatesOf({ version: 4, data: columns })).toEqual(expected);
    expect(contactStatesOf({ version: 5, data: { ...columns, personal: ['a', 'b'] } })).toEqual(expected);
  });

  it('names nobody for v1, a malformed event, or v4 columns of different lengths', () => {
    expect(contactStatesOf({ version: 1, data: { contactIds: [alice.contactId] } })).toEqual([]);
    expect(contactStatesOf({ version: 4, data: null })).toEqual([]);
    expect(contactStatesOf({ version: 4, data: { ...columns, statuses: ['active'] } })).toEqual([]);
    expect(contactStatesOf({ version: 4, data: { ...columns, tags: undefined } })).toEqual([]);
  });

  it('says which versions carry state and sealed personal fields, for consumers that open them (v2 to v5; not v1)', () => {
    expect([1, 2, 3, 4, 5, 6].map((version) => carriesContactState({ version }))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
  });
});
