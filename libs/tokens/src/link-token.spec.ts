import {
  expectKind,
  InvalidLinkTokenClaimsError,
  LINK_TOKEN_VERSION,
  linkTokenBodyLength,
  readLinkTokenBody,
  readLinkTokenBodyLength,
  writeLinkTokenBody,
  type LinkTokenClaims,
} from './link-token';

const TENANT = '11111111-2222-4333-8444-555555555555';
const CAMPAIGN = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const CONTACT = 'bbbbbbbb-cccc-4ddd-aeee-ffffffffffff';

function encode(claims: LinkTokenClaims): Buffer {
  const bytes = Buffer.alloc(linkTokenBodyLength(claims.kind));
  expect(writeLinkTokenBody(claims, bytes)).toBe(bytes.length);
  return bytes;
}

describe('R-K1: link-token body', () => {
  it('R-K1: lays out version, kind, tenant, region, campaign, contact and link index', () => {
    const claims: LinkTokenClaims = {
      kind: 'click',
      tenantId: TENANT,
      region: 'EEA',
      campaignId: CAMPAIGN,
      contactId: CONTACT,
      linkIndex: 0x0102,
    };
    const bytes = encode(claims);
    expect(bytes.length).toBe(53);
    expect(bytes[0]).toBe(LINK_TOKEN_VERSION);
    expect(bytes[1]).toBe(2);
    expect(bytes.subarray(2, 18).toString('hex')).toBe(TENANT.replace(/-/g, ''));
    expect(bytes[18]).toBe(1);
    expect(bytes.subarray(19, 35).toString('hex')).toBe(CAMPAIGN.replace(/-/g, ''));
    expect(bytes.subarray(35, 51).toString('hex')).toBe(CONTACT.replace(/-/g, ''));
    expect([bytes[51], bytes[52]]).toEqual([1, 2]);
    expect(readLinkTokenBodyLength(bytes)).toBe(53);
    expect(readLinkTokenBody(bytes)).toStrictEqual(claims);
  });

  it('R-K1: kind codes open=1, click=2, unsubscribe=3; region NA=0; no campaign is the nil UUID', () => {
    const open = encode({ kind: 'open', tenantId: TENANT, region: 'NA', campaignId: CAMPAIGN, contactId: CONTACT });
    const unsub = encode({ kind: 'unsubscribe', tenantId: TENANT, region: 'NA', campaignId: null, contactId: CONTACT });
    expect(open.length).toBe(51);
    expect([open[1], unsub[1], open[18]]).toEqual([1, 3, 0]);
    expect(unsub.subarray(19, 35).equals(Buffer.alloc(16))).toBe(true);
    expect(readLinkTokenBody(unsub)).toStrictEqual({
      kind: 'unsubscribe',
      tenantId: TENANT,
      region: 'NA',
      campaignId: null,
      contactId: CONTACT,
    });
  });

  it('R-K1: unknown version, kind or region decode to null', () => {
    const bytes = encode({ kind: 'open', tenantId: TENANT, region: 'NA', campaignId: null, contactId: CONTACT });
    for (const [offset, value] of [
      [0, 0],
      [0, 2],
      [1, 0],
      [1, 6],
      [1, 255],
      [18, 2],
    ]) {
      const copy = Buffer.from(bytes);
      copy[offset] = value;
      expect(readLinkTokenBody(copy)).toBeNull();
      if (offset < 2) expect(readLinkTokenBodyLength(copy)).toBe(-1);
    }
    expect(readLinkTokenBody(bytes.subarray(0, 50))).toBeNull();
    expect(readLinkTokenBodyLength(Buffer.alloc(1, 1))).toBe(-1);
  });

  it('R-K1: claims that do not fit the format are refused at mint time', () => {
    const base: LinkTokenClaims = {
      kind: 'open',
      tenantId: TENANT,
      region: 'NA',
      campaignId: null,
      contactId: CONTACT,
    };
    const bad: unknown[] = [
      { ...base, kind: 'complaint' },
      { ...base, kind: 'toString' },
      { ...base, region: 'APAC' },
      { ...base, tenantId: 'not-a-uuid' },
      { ...base, contactId: 'jane@example.com' },
      { ...base, campaignId: '' },
      { ...base, campaignId: '00000000-0000-0000-0000-000000000000' },
      { ...base, linkIndex: 1 },
      { ...base, kind: 'click' },
      { ...base, kind: 'click', linkIndex: -1 },
      { ...base, kind: 'click', linkIndex: 65536 },
      { ...base, kind: 'click', linkIndex: 1.5 },
    ];
    for (const claims of bad) {
      expect(() => writeLinkTokenBody(claims as LinkTokenClaims, Buffer.alloc(60))).toThrow(
        InvalidLinkTokenClaimsError,
      );
    }
    expect(() => writeLinkTokenBody({ ...base, kind: 'click', linkIndex: 65535 }, Buffer.alloc(53))).not.toThrow();
  });

  it('R-K1: expectKind accepts only the expected kind', () => {
    const open: LinkTokenClaims = {
      kind: 'open',
      tenantId: TENANT,
      region: 'NA',
      campaignId: null,
      contactId: CONTACT,
    };
    expect(expectKind(open, 'open')).toBe(open);
    expect(expectKind(open, 'unsubscribe')).toBeNull();
    expect(expectKind(open, 'click')).toBeNull();
    expect(expectKind(null, 'open')).toBeNull();
  });
});
