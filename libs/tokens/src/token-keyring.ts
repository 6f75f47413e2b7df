/**
 * The link-token HMAC keys by key id (R-K1). Keys come from configuration (LINK_TOKEN_KEYS) as
 * `{ kid, secret }[]`: the first key signs, every key verifies. Rotation: put a new key first and keep the old
 * one after it while its tokens are still out in mailboxes; remove it to make them stop verifying.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';

export interface TokenKeyConfig {
  kid: string;
  secret: string;
}

export interface TokenKey {
  readonly kid: string;
  /** The kid's ASCII bytes, as written into tokens. */
  readonly kidBytes: Buffer;
  /** The secret's UTF-8 bytes as a prepared HMAC key. */
  readonly key: KeyObject;
}

export const MAX_KID_LENGTH = 8;
export const MIN_SECRET_LENGTH = 32;

/** 1–8 ASCII letters or digits. */
export function isValidKid(kid: unknown): kid is string {
  if (typeof kid !== 'string' || kid.length < 1 || kid.length > MAX_KID_LENGTH) return false;
  for (let i = 0; i < kid.length; i++) {
    const c = kid.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum) return false;
  }
  return true;
}

export class TokenKeyring {
  /** The key new tokens are signed with (the first configured). */
  readonly signing: TokenKey;
  private readonly byKid = new Map<string, TokenKey>();

  /** Throws for an empty list, an invalid or duplicate kid, or a secret shorter than 32 characters. */
  constructor(keys: readonly TokenKeyConfig[]) {
    if (!Array.isArray(keys) || keys.length === 0) throw new Error('link-token keyring: at least one key is required');
    const prepared = keys.map((config, position) => {
      // Error messages name the kid or position, never the secret.
      if (!isValidKid(config?.kid)) {
        throw new Error(
          `link-token keyring: key #${position + 1} needs a kid of 1-${MAX_KID_LENGTH} ASCII letters/digits`,
        );
      }
      if (typeof config.secret !== 'string' || config.secret.length < MIN_SECRET_LENGTH) {
        throw new Error(
          `link-token keyring: the secret of kid ${config.kid} is shorter than ${MIN_SECRET_LENGTH} characters`,
        );
      }
      if (this.byKid.has(config.kid)) throw new Error(`link-token keyring: duplicate kid ${config.kid}`);
      const key: TokenKey = Object.freeze({
        kid: config.kid,
        kidBytes: Buffer.from(config.kid, 'latin1'),
        key: createSecretKey(Buffer.from(config.secret, 'utf8')),
      });
      this.byKid.set(config.kid, key);
      return key;
    });
    this.signing = prepared[0];
  }

  /** The key for a kid, or undefined if it is unknown (or was rotated out). */
  find(kid: string): TokenKey | undefined {
    return this.byKid.get(kid);
  }

  /** Configured kids, signing key first. */
  get kids(): string[] {
    return [...this.byKid.keys()];
  }
}
