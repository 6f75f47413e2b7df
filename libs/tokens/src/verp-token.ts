/**
 * The compact signed token of a message's envelope sender `bounce+{token}@{BOUNCE_DOMAIN}` (R-S8, R-K1). An
 * address's local part is at most 64 octets (RFC 5321 §4.5.3.1.1) and MTAs refuse or cut longer ones, so the link
 * token (96 characters) does not fit; this one is 56 characters, and `bounce+` + 56 = 63 octets. It names tenant and
 * contact only: the campaign is in the Message-ID's full link token (feedback-address.ts), which has no such limit,
 * and the region comes from the tenant directory. The kind byte leaves room for other mailboxes, but
 * `unsubscribe+` + 56 = 68 octets: the unsubscribe mailbox needs a shorter form than this one.
 *
 * 42 bytes, base64url without padding (56 characters):
 *
 *   offset  size  field
 *   0       1     version (high nibble, 1) and kind (low nibble: bounce=1, unsubscribe=2)
 *   1       16    tenant id (UUID)
 *   17      16    contact id (UUID)
 *   33      1     key fingerprint: the first byte of SHA-256 of the kid (the kid itself would not fit)
 *   34      8     tag: HMAC-SHA256(key, "missive-verp\0" || bytes 0..33), truncated to 8 bytes
 *
 * Why a 64-bit tag is enough here, when link tokens carry 128 bits: a forged mailbox only matters for a real
 * contact, so a forger needs that contact's and its tenant's random ids (not derivable from anything public) and then
 * still guesses the tag, with odds of 2^-64 per attempt; each attempt costs an SMTP RCPT command on a listener that
 * bounds connections per client. At a sustained 100,000 attempts a second the expected time to one success is
 * about 2.9 million years. What a success would buy is a bounce or an opt-out of that one address. The kind is in the
 * signed bytes, so an unsubscribe token is no bounce token; the prefix keeps these tags apart from link tokens'.
 *
 * The fingerprint is one byte, so two configured kids may share it: verify tries each key that has it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenKey, TokenKeyring } from './token-keyring';
import { readUuid, writeUuid } from './uuid-bytes';

export type VerpTokenKind = 'bounce' | 'unsubscribe';

export interface VerpTokenClaims {
  kind: VerpTokenKind;
  tenantId: string;
  contactId: string;
}

export const VERP_TOKEN_VERSION = 1;
export const VERP_TOKEN_KIND_CODES: Readonly<Record<VerpTokenKind, number>> = { bounce: 1, unsubscribe: 2 };
const KIND_BY_CODE: readonly (VerpTokenKind | undefined)[] = [undefined, 'bounce', 'unsubscribe'];

const OFFSET_TENANT = 1;
const OFFSET_CONTACT = 17;
const OFFSET_FINGERPRINT = 33;
const OFFSET_TAG = 34;
export const VERP_TOKEN_TAG_BYTES = 8;
export const VERP_TOKEN_BYTES = OFFSET_TAG + VERP_TOKEN_TAG_BYTES; // 42
/** Every VERP token has this length (42 bytes in base64url, no padding): the same for every kid. */
export const VERP_TOKEN_LENGTH = (VERP_TOKEN_BYTES * 4) / 3; // 56

const TAG_PREFIX = Buffer.from('missive-verp\0', 'latin1');

/** The key's one-byte fingerprint written into VERP tokens. */
export function verpKeyFingerprint(kid: string): number {
  return createHash('sha256').update(kid, 'latin1').digest()[0];
}

function verpTag(key: TokenKey, signed: Uint8Array): Buffer {
  return createHmac('sha256', key.key).update(TAG_PREFIX).update(signed).digest().subarray(0, VERP_TOKEN_TAG_BYTES);
}

export class VerpTokenSigner {
  private readonly signingFingerprint: number;
  /** Keys by fingerprint, signing key first. */
  private readonly byFingerprint = new Map<number, TokenKey[]>();

  constructor(private readonly keyring: TokenKeyring) {
    for (const kid of keyring.kids) {
      const fingerprint = verpKeyFingerprint(kid);
      const keys = this.byFingerprint.get(fingerprint) ?? [];
      keys.push(keyring.find(kid)!);
      this.byFingerprint.set(fingerprint, keys);
    }
    this.signingFingerprint = verpKeyFingerprint(keyring.signing.kid);
  }

  /** A token for the claims, signed with the keyring's signing key; throws for an unknown kind or a non-UUID id. */
  mint(claims: VerpTokenClaims): string {
    const kindCode = Object.hasOwn(VERP_TOKEN_KIND_CODES, claims.kind) ? VERP_TOKEN_KIND_CODES[claims.kind] : undefined;
    if (kindCode === undefined) throw new Error('invalid VERP-token claims: unknown kind');
    const bytes = Buffer.alloc(VERP_TOKEN_BYTES);
    bytes[0] = (VERP_TOKEN_VERSION << 4) | kindCode;
    if (!writeUuid(claims.tenantId, bytes, OFFSET_TENANT)) throw new Error('invalid VERP-token claims: tenantId');
    if (!writeUuid(claims.contactId, bytes, OFFSET_CONTACT)) throw new Error('invalid VERP-token claims: contactId');
    bytes[OFFSET_FINGERPRINT] = this.signingFingerprint;
    verpTag(this.keyring.signing, bytes.subarray(0, OFFSET_TAG)).copy(bytes, OFFSET_TAG);
    return bytes.toString('base64url');
  }

  /**
   * The claims of a genuine token of the kind, or null for anything else (length, alphabet, version, another kind,
   * unknown key, tag). Never throws.
   */
  verify(token: string, kind: VerpTokenKind): VerpTokenClaims | null {
    if (typeof token !== 'string' || token.length !== VERP_TOKEN_LENGTH) return null;
    const bytes = Buffer.from(token, 'base64url');
    // Buffer's decoder skips characters outside the alphabet: only the exact spelling is a token.
    if (bytes.length !== VERP_TOKEN_BYTES || bytes.toString('base64url') !== token) return null;
    if (bytes[0] >> 4 !== VERP_TOKEN_VERSION || KIND_BY_CODE[bytes[0] & 0x0f] !== kind) return null;
    const signed = bytes.subarray(0, OFFSET_TAG);
    const given = bytes.subarray(OFFSET_TAG);
    const keys = this.byFingerprint.get(bytes[OFFSET_FINGERPRINT]) ?? [];
    if (!keys.some((key) => timingSafeEqual(verpTag(key, signed), given))) return null;
    return { kind, tenantId: readUuid(bytes, OFFSET_TENANT), contactId: readUuid(bytes, OFFSET_CONTACT) };
  }
}
