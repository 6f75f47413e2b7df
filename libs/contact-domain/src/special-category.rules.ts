/**
 * R-C4: special categories of personal data (GDPR Art. 9, Art. 10 for criminal records). Attribute names are
 * split into words (camelCase, snake_case, kebab-case, spaces) and lower-cased; a name is special if one of
 * its words is below, or if its words run together contain one of the phrases (`sexualOrientation`,
 * `trade_union`, `CRIMINALRECORD`). Whole words, so `gracePeriod` or `embraceDate` do not match `race`.
 */
const SPECIAL_WORDS = new Set([
  // health
  'health',
  'medical',
  'medication',
  'diagnosis',
  'disability',
  'disabled',
  'illness',
  'disease',
  'pregnancy',
  'pregnant',
  'hiv',
  // religion or belief
  'religion',
  'religious',
  'faith',
  'denomination',
  // racial or ethnic origin
  'ethnicity',
  'ethnic',
  'race',
  'racial',
  // political opinion
  'political',
  'politics',
  // sex life, sexual orientation
  'sexuality',
  'sexual',
  'lgbt',
  'lgbtq',
  // biometric, genetic
  'biometric',
  'biometrics',
  'fingerprint',
  'fingerprints',
  'genetic',
  'genetics',
  'dna',
  'genome',
  // trade-union membership
  'tradeunion',
  'unionmember',
  'unionmembership',
  // criminal convictions and offences
  'criminal',
  'conviction',
  'convictions',
  'offence',
  'offences',
  'offense',
  'offenses',
]);

const SPECIAL_PHRASES = [
  'sexualorientation',
  'tradeunion',
  'laborunion',
  'labourunion',
  'unionmember',
  'politicalopinion',
  'politicalparty',
  'criminalrecord',
  'ethnicorigin',
  'racialorigin',
  'healthcondition',
  'healthstatus',
];

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Attribute names repeat on every row of an import: each is classified once. */
const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 10000;

/** True when an attribute of this name would hold special-category data (R-C4). */
export function isSpecialCategoryAttribute(name: string): boolean {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = classify(name);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
    verdicts.set(name, verdict);
  }
  return verdict;
}

function classify(name: string): boolean {
  const parts = words(name);
  if (parts.some((w) => SPECIAL_WORDS.has(w))) return true;
  const joined = parts.join('');
  return SPECIAL_PHRASES.some((phrase) => joined.includes(phrase));
}
