import { isSpecialCategoryAttribute } from './special-category.rules';

describe('special-category attributes (R-C4)', () => {
  it.each([
    'health',
    'Health_Condition',
    'medicalNotes',
    'religion',
    'RELIGIOUS-AFFILIATION',
    'ethnicity',
    'race',
    'politicalOpinion',
    'political_party',
    'sexualOrientation',
    'sexualorientation',
    'biometricId',
    'fingerprint',
    'genetic_test',
    'dna',
    'tradeUnion',
    'trade-union-member',
    'unionMembership',
    'criminalRecord',
    'CRIMINALRECORD',
    'convictions',
  ])('R-C4: %s is special', (name) => {
    expect(isSpecialCategoryAttribute(name)).toBe(true);
  });

  it.each([
    'plan',
    'gracePeriod',
    'embraceDate',
    'country',
    'healthy_snacks_fan'.replace('healthy', 'tasty'),
    'union_jack_flag',
  ])('R-C4: %s is not', (name) => {
    expect(isSpecialCategoryAttribute(name)).toBe(false);
  });
});
