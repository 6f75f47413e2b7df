/**
 * The claims of a signed link token (R-K1) and their compact binary encoding. Tokens go into emails for the
 * open pixel (`/t/o/{token}`), the click redirect (`/t/c/{token}`), unsubscribe (`/u/{token}`,
 * `unsubscribe+{token}@domain`), the VERP Return-Path and Message-ID (`bounce+{token}@domain`, R-S8) and the double
 * opt-in confirmation (`/c/{token}`, R-C8). The payload
 * holds ids only, never an email address.
 *
 * Body layout (all multi-byte integers big-endian):
 *
 *   offset  size  field
 *   0       1     version (1)
 *   1       1     kind: open=1, click=2, unsubscribe=3, bounce=4, confirm=5
 *   2       16    tenant id (UUID)
 *   18      1     region: NA=0, EEA=1
 *   19      16    campaign id (UUID; the nil UUID when the token is not tied to a campaign)
 *   35      16    contact id (UUID)
 *   51      2     link index (uint16), click tokens only
 *
 * The signer (link-token.signer.ts) appends the key id and the tag. The kind is inside the signed bytes, so a
 * token minted for one purpose cannot be replayed for another (an open token is no unsubscribe token).
 */
import type { Region } from '@missive/contracts';
import { isNilUuid, readUuid, UUID_BYTES, writeUuid } from './uuid-bytes';

export type LinkTokenKind = 'open' | 'click' | 'unsubscribe' | 'bounce' | 'confirm';

export interface LinkTokenClaims {
  kind: LinkTokenKind;
  tenantId: string;
  region: Region;
  /** null for tokens not tied to a campaign (encoded as the nil UUID). */
  campaignId: string | null;
  contactId: string;
  /** Index of the campaign link; present on click tokens only. */
  linkIndex?: number;
}

export const LINK_TOKEN_VERSION = 1;

export const LINK_TOKEN_KIND_CODES: Readonly<Record<LinkTokenKind, number>> = {
  open: 1,
  click: 2,
  unsubscribe: 3,
  bounce: 4,
  confirm: 5,
};
const KIND_BY_CODE: readonly (LinkTokenKind | undefined)[] = [
  undefined,
  'open',
  'click',
  'unsubscribe',
  'bounce',
  'confirm',
];

const REGION_CODES: Readonly<Record<Region, number>> = { NA: 0, EEA: 1 };
const REGION_BY_CODE: readonly (Region | undefined)[] = ['NA', 'EEA'];

const OFFSET_VERSION = 0;
const OFFSET_KIND = 1;
const OFFSET_TENANT = 2;
const OFFSET_REGION = OFFSET_TENANT + UUID_BYTES;
const OFFSET_CAMPAIGN = OFFSET_REGION + 1;
const OFFSET_CONTACT = OFFSET_CAMPAIGN + UUID_BYTES;
const OFFSET_LINK_INDEX = OFFSET_CONTACT + UUID_BYTES;
const BASE_BODY_LENGTH = OFFSET_LINK_INDEX; // 51
const CLICK_BODY_LENGTH = BASE_BODY_LENGTH + 2; // 53

export const MAX_LINK_INDEX = 0xffff;
/** The longest body (a click token's). */
export const MAX_LINK_TOKEN_BODY_LENGTH = CLICK_BODY_LENGTH;

/** Thrown by mint for claims that cannot be encoded: a programming error, never caused by a request. */
export class InvalidLinkTokenClaimsError extends Error {
  constructor(problem: string) {
    super(`invalid link-token claims: ${problem}`);
    this.name = 'InvalidLinkTokenClaimsError';
  }
}

/** Body length in bytes for a kind. */
export function linkTokenBodyLength(kind: LinkTokenKind): number {
  return kind === 'click' ? CLICK_BODY_LENGTH : BASE_BODY_LENGTH;
}

/**
 * Writes the claims' body at `target[offset…]` (the caller sizes it with linkTokenBodyLength) and returns the
 * number of bytes written. Throws InvalidLinkTokenClaimsError for claims that do not fit the format.
 */
export function writeLinkTokenBody(claims: LinkTokenClaims, target: Buffer, offset = 0): number {
  const kindCode = Object.hasOwn(LINK_TOKEN_KIND_CODES, claims.kind) ? LINK_TOKEN_KIND_CODES[claims.kind] : undefined;
  if (kindCode === undefined) throw new InvalidLinkTokenClaimsError('unknown kind');
  const regionCode = Object.hasOwn(REGION_CODES, claims.region) ? REGION_CODES[claims.region] : undefined;
  if (regionCode === undefined) throw new InvalidLinkTokenClaimsError('unknown region');
  const length = linkTokenBodyLength(claims.kind);
  if (target.length - offset < length) throw new RangeError('link-token buffer too small');

  target[offset + OFFSET_VERSION] = LINK_TOKEN_VERSION;
  target[offset + OFFSET_KIND] = kindCode;
  if (!writeUuid(claims.tenantId, target, offset + OFFSET_TENANT)) {
    throw new InvalidLinkTokenClaimsError('tenantId is not a UUID');
  }
  target[offset + OFFSET_REGION] = regionCode;
  if (claims.campaignId === null) {
    target.fill(0, offset + OFFSET_CAMPAIGN, offset + OFFSET_CAMPAIGN + UUID_BYTES);
  } else if (!writeUuid(claims.campaignId, target, offset + OFFSET_CAMPAIGN)) {
    throw new InvalidLinkTokenClaimsError('campaignId is neither null nor a UUID');
  } else if (isNilUuid(target, offset + OFFSET_CAMPAIGN)) {
    // The nil UUID means "no campaign"; accepting it would not round-trip (it decodes to null).
    throw new InvalidLinkTokenClaimsError('campaignId must be null, not the nil UUID, for tokens without a campaign');
  }
  if (!writeUuid(claims.contactId, target, offset + OFFSET_CONTACT)) {
    throw new InvalidLinkTokenClaimsError('contactId is not a UUID');
  }
  if (claims.kind === 'click') {
    const index = claims.linkIndex;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_LINK_INDEX) {
      throw new InvalidLinkTokenClaimsError(`click tokens need an integer linkIndex in 0..${MAX_LINK_INDEX}`);
    }
    target.writeUInt16BE(index, offset + OFFSET_LINK_INDEX);
  } else if (claims.linkIndex !== undefined) {
    throw new InvalidLinkTokenClaimsError('only click tokens carry a linkIndex');
  }
  return length;
}

/**
 * The body length announced by the version and kind bytes at the start of `bytes`, or -1 for an unknown
 * version or kind (or too few bytes to tell).
 */
export function readLinkTokenBodyLength(bytes: Uint8Array): number {
  if (bytes.length < 2 || bytes[OFFSET_VERSION] !== LINK_TOKEN_VERSION) return -1;
  const kind = KIND_BY_CODE[bytes[OFFSET_KIND]];
  return kind === undefined ? -1 : linkTokenBodyLength(kind);
}

/**
 * Decodes a body that starts at `bytes[0]`; the caller has checked its length with readLinkTokenBodyLength
 * (and, for a token, its tag). Returns null for an unknown version, kind or region.
 */
export function readLinkTokenBody(bytes: Buffer): LinkTokenClaims | null {
  if (bytes.length < 2 || bytes[OFFSET_VERSION] !== LINK_TOKEN_VERSION) return null;
  const kind = KIND_BY_CODE[bytes[OFFSET_KIND]];
  if (kind === undefined || bytes.length < linkTokenBodyLength(kind)) return null;
  const region = REGION_BY_CODE[bytes[OFFSET_REGION]];
  if (region === undefined) return null;
  const claims: LinkTokenClaims = {
    kind,
    tenantId: readUuid(bytes, OFFSET_TENANT),
    region,
    campaignId: isNilUuid(bytes, OFFSET_CAMPAIGN) ? null : readUuid(bytes, OFFSET_CAMPAIGN),
    contactId: readUuid(bytes, OFFSET_CONTACT),
  };
  if (kind === 'click') claims.linkIndex = bytes.readUInt16BE(OFFSET_LINK_INDEX);
  return claims;
}

/**
 * Narrows verified claims to the kind a route expects, e.g. `expectKind(signer.verify(t), 'unsubscribe')`:
 * null if there are no claims or they are of another kind.
 */
export function expectKind<K extends LinkTokenKind>(
  claims: LinkTokenClaims | null | undefined,
  kind: K,
): (LinkTokenClaims & { kind: K }) | null {
  return claims != null && claims.kind === kind ? (claims as LinkTokenClaims & { kind: K }) : null;
}
