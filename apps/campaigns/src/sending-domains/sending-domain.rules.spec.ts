import {
  domainOfEmail,
  fromEmailAllowed,
  normaliseDomain,
  recordProblems,
  recordsToPublish,
  selectorFor,
  type TxtAnswers,
} from './sending-domain.rules';

const KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAabc';
const records = recordsToPublish('shop.example', 'mv202612', KEY, 'relay.missive.example');

function answers(entries: Record<string, string[] | null>): TxtAnswers {
  return new Map(Object.entries(entries));
}

const published = {
  'mv202612._domainkey.shop.example': [`v=DKIM1; k=rsa; p=${KEY}`],
  'shop.example': ['google-site-verification=x', 'v=spf1 include:relay.missive.example ~all'],
  '_dmarc.shop.example': ['v=DMARC1; p=none; adkim=r; aspf=r'],
};

describe('sending-domain rules', () => {
  it('R-S9: domains are lower-cased and need two hostname labels; addresses and IPs are refused', () => {
    expect(normaliseDomain(' Shop.Example. ')).toBe('shop.example');
    expect(normaliseDomain('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
    for (const bad of ['localhost', 'a@b.example', '-x.example', 'x..example', '10.0.0.1', `${'a'.repeat(64)}.example`])
      expect([bad, normaliseDomain(bad)]).toEqual([bad, null]);
  });

  it('R-S9: the records to publish are DKIM at {selector}._domainkey, SPF with the include, DMARC at _dmarc', () => {
    expect(records).toEqual([
      {
        kind: 'DKIM',
        type: 'TXT',
        name: 'mv202612._domainkey.shop.example',
        value: `v=DKIM1; k=rsa; p=${KEY}`,
      },
      { kind: 'SPF', type: 'TXT', name: 'shop.example', value: 'v=spf1 include:relay.missive.example ~all' },
      { kind: 'DMARC', type: 'TXT', name: '_dmarc.shop.example', value: 'v=DMARC1; p=none; adkim=r; aspf=r' },
    ]);
    expect(selectorFor(new Date('2026-02-03T00:00:00Z'))).toBe('mv202602');
  });

  it('R-S9: the published records verify, whatever else the names hold and however the key is spaced', () => {
    expect(recordProblems(records, answers(published))).toEqual([]);
    const spaced = `v=DKIM1;k=rsa; t=s; p=${KEY.slice(0, 20)} ${KEY.slice(20)}`;
    expect(recordProblems(records, answers({ ...published, 'mv202612._domainkey.shop.example': [spaced] }))).toEqual(
      [],
    );
    const ownSpf = 'v=spf1 ip4:192.0.2.1 include:relay.missive.example -all';
    expect(recordProblems(records, answers({ ...published, 'shop.example': [ownSpf] }))).toEqual([]);
  });

  it('R-S9: each missing or wrong record is named', () => {
    expect(recordProblems(records, answers({}))).toEqual([
      { record: 'DKIM', name: 'mv202612._domainkey.shop.example', reason: 'no DKIM record' },
      { record: 'SPF', name: 'shop.example', reason: 'no SPF record' },
      { record: 'DMARC', name: '_dmarc.shop.example', reason: 'no DMARC record' },
    ]);
    const wrongKey = { ...published, 'mv202612._domainkey.shop.example': ['v=DKIM1; k=rsa; p=MIIBother'] };
    expect(recordProblems(records, answers(wrongKey))).toEqual([
      { record: 'DKIM', name: 'mv202612._domainkey.shop.example', reason: 'the DKIM record holds another key' },
    ]);
    const otherSpf = { ...published, 'shop.example': ['v=spf1 include:_spf.google.com ~all'] };
    expect(recordProblems(records, answers(otherSpf))).toEqual([
      { record: 'SPF', name: 'shop.example', reason: 'the SPF record lacks include:relay.missive.example' },
    ]);
    const twoSpf = { ...published, 'shop.example': ['v=spf1 include:relay.missive.example ~all', 'v=spf1 -all'] };
    expect(recordProblems(records, answers(twoSpf))[0].reason).toMatch(/more than one SPF record/);
    const noPolicy = { ...published, '_dmarc.shop.example': ['v=DMARC1; rua=mailto:d@shop.example'] };
    expect(recordProblems(records, answers(noPolicy))).toEqual([
      { record: 'DMARC', name: '_dmarc.shop.example', reason: 'no DMARC policy' },
    ]);
  });

  it('R-S9: in production the From must be on a verified domain of the tenant (exact domain)', () => {
    expect(domainOfEmail('News@Shop.Example')).toBe('shop.example');
    expect(fromEmailAllowed(true, 'news@shop.example', ['shop.example'])).toBe(true);
    expect(fromEmailAllowed(true, 'news@mail.shop.example', ['shop.example'])).toBe(false);
    expect(fromEmailAllowed(true, 'news@other.example', ['shop.example'])).toBe(false);
    expect(fromEmailAllowed(false, 'news@other.example', [])).toBe(true);
  });
});
