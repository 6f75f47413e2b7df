/**
 * Mints and verifies signed link tokens (R-K1). A token is base64url (no padding) of
 *
 *   body (link-token.ts: version, kind, tenant, region, campaign, contact[, link index])
 *   kid length (1 byte, 1..8) + kid (ASCII letters/digits)
 *   tag: HMAC-SHA256(key[kid], everything before the tag), truncated to 16 bytes
 *
 * Why a 128-bit tag: it is what makes tokens unforgeable and not enumerable. Without the key, a valid tag for
 * any payload (say, the next contact id) can only be guessed, with odds of 2^-128 per attempt: out of reach at
 * any request rate. HMAC is a PRF, so the tags of neighbouring ids are unrelated and one token says nothing
 * about another. Truncating HMAC-SHA256 to half its output is sanctioned (RFC 2104 §5, NIST SP 800-107) and
 * keeps tokens short (a click token is 99 characters with a 4-character kid).
 *
 * Tokens are signed, not encrypted: whoever holds one can read the ids in it, but never an email address.
 *
 * verify() is on the hot path of the open pixel (every hit) and never throws: anything malformed is null.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  linkTokenBodyLength,
  MAX_LINK_TOKEN_BODY_LENGTH,
  readLinkTokenBody,
  readLinkTokenBodyLength,
  writeLinkTokenBody,
  type LinkTokenClaims,
} from './link-token';
import { MAX_KID_LENGTH, TokenKeyring, type TokenKey, type TokenKeyConfig } from './token-keyring';
import { VerpTokenSigner, type VerpTokenClaims, type VerpTokenKind } from './verp-token';

export const LINK_TOKEN_TAG_BYTES = 16;

const MIN_TOKEN_BYTES = linkTokenBodyLength('open') + 1 + 1 + LINK_TOKEN_TAG_BYTES;
const MAX_TOKEN_BYTES = MAX_LINK_TOKEN_BODY_LENGTH + 1 + MAX_KID_LENGTH + LINK_TOKEN_TAG_BYTES;
/** Unpadded base64url length of n bytes. */
const base64urlLength = (bytes: number): number => Math.ceil((bytes * 4) / 3);
export const MIN_LINK_TOKEN_LENGTH = base64urlLength(MIN_TOKEN_BYTES); // 92
/** Longest possible token (click, 8-character kid); anything longer is rejected before decoding. */
export const MAX_LINK_TOKEN_LENGTH = base64urlLength(MAX_TOKEN_BYTES); // 104

export class LinkTokenSigner {
  private readonly keyring: TokenKeyring;
  private readonly verp: VerpTokenSigner;

  /** Keys from configuration, the first signs; throws for an empty list, a bad kid or a short secret. */
  constructor(keys: TokenKeyConfig[]) {
    this.keyring = new TokenKeyring(keys);
    this.verp = new VerpTokenSigner(this.keyring);
  }

  /** The compact token of a VERP mailbox (verp-token.ts), signed with the same keys: 56 characters. */
  mintVerp(claims: VerpTokenClaims): string {
    return this.verp.mint(claims);
  }

  /** The claims of a genuine compact VERP token of the kind, or null. Never throws. */
  verifyVerp(token: string, kind: VerpTokenKind): VerpTokenClaims | null {
    return this.verp.verify(token, kind);
  }

  /** A token for the claims, signed with the first key. Throws InvalidLinkTokenClaimsError for bad claims. */
  mint(claims: LinkTokenClaims): string {
    const key = this.keyring.signing;
    const bodyLength = linkTokenBodyLength(claims.kind);
    const tagOffset = bodyLength + 1 + key.kidBytes.length;
    const bytes = Buffer.alloc(tagOffset + LINK_TOKEN_TAG_BYTES);
    writeLinkTokenBody(claims, bytes, 0);
    bytes[bodyLength] = key.kidBytes.length;
    key.kidBytes.copy(bytes, bodyLength + 1);
    tag(key, bytes.subarray(0, tagOffset)).copy(bytes, tagOffset);
    return bytes.toString('base64url');
  }

  /**
   * The claims of a genuine token, or null for anything else: wrong length, not canonical base64url, unknown
   * version, kind or kid, bad tag, trailing bytes. Never throws. Check the kind with expectKind.
   */
  verify(token: string): LinkTokenClaims | null {
    try {
      return this.verifyUnsafe(token);
    } catch {
      return null; // not reachable by construction; a throw must still not become a 500 (an oracle) on a route
    }
  }

  private verifyUnsafe(token: string): LinkTokenClaims | null {
    if (typeof token !== 'string' || token.length < MIN_LINK_TOKEN_LENGTH || token.length > MAX_LINK_TOKEN_LENGTH) {
      return null;
    }
    const bytes = Buffer.from(token, 'base64url');
    // Buffer's decoder skips characters outside the alphabet and ignores stray low bits of the last character;
    // re-encoding must give back the exact input, so each token has exactly one spelling.
    if (bytes.toString('base64url') !== token) return null;

    const bodyLength = readLinkTokenBodyLength(bytes);
    if (bodyLength < 0 || bodyLength >= bytes.length) return null;
    const kidLength = bytes[bodyLength];
    if (kidLength < 1 || kidLength > MAX_KID_LENGTH) return null;
    const tagOffset = bodyLength + 1 + kidLength;
    if (bytes.length !== tagOffset + LINK_TOKEN_TAG_BYTES) return null; // truncated or trailing bytes

    const key = this.keyring.find(bytes.toString('latin1', bodyLength + 1, tagOffset));
    if (key === undefined) return null;
    const expected = tag(key, bytes.subarray(0, tagOffset));
    if (!timingSafeEqual(expected, bytes.subarray(tagOffset))) return null;
    return readLinkTokenBody(bytes);
  }
}

/** HMAC-SHA256 of the data under the key, truncated to the tag length. */
function tag(key: TokenKey, data: Uint8Array): Buffer {
  return createHmac('sha256', key.key).update(data).digest().subarray(0, LINK_TOKEN_TAG_BYTES);
}
