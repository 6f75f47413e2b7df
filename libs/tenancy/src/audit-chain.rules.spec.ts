import {
  anchoredHashes,
  anchorSignatureValid,
  auditEntryHash,
  AuditKeyring,
  canonicalJson,
  firstBrokenLink,
  firstMissingAnchored,
  GENESIS_HASH,
  legacyAuditEntryHash,
  signAnchor,
  type AuditEntryContent,
  type ChainCheck,
  type ChainedAuditEntry,
} from './audit-chain.rules';

const KEYRING = new AuditKeyring([
  { kid: 'k2', secret: 'second-key-0123456789abcdef0123456789' },
  { kid: 'k1', secret: 'first-key-0123456789abcdef01234567890' },
]);
const OTHER = new AuditKeyring([{ kid: 'k2', secret: 'someone-elses-key-0123456789abcdef012' }]);
const CHECK: ChainCheck = { keyring: KEYRING, legacyThrough: null, anchored: new Map() };

function chain(contents: AuditEntryContent[], keyring: AuditKeyring | null = KEYRING): ChainedAuditEntry[] {
  let prev = GENESIS_HASH;
  return contents.map((c) => {
    const keyId = keyring ? keyring.signingKeyId : null;
    const hash = keyring ? auditEntryHash(keyring, keyId!, prev, c)! : legacyAuditEntryHash(prev, c);
    const entry = { ...c, keyId, prevHash: prev, hash };
    prev = hash;
    return entry;
  });
}

const entries = (n: number): AuditEntryContent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    actor: 'staff:bootstrap',
    action: 'tenant.created',
    tenantId: null,
    crossRegion: false,
    details: { n: i, nested: { b: 1, a: 2 } },
  }));

describe('audit hash chain', () => {
  it('R-A3: canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('R-A3: each hash covers the previous hash, the entry and the key', () => {
    const [e] = entries(1);
    const hash = (k: AuditKeyring, kid: string, prev: string, c: AuditEntryContent) => auditEntryHash(k, kid, prev, c);
    expect(hash(KEYRING, 'k2', GENESIS_HASH, e)).not.toBe(hash(KEYRING, 'k2', 'f'.repeat(64), e));
    expect(hash(KEYRING, 'k2', GENESIS_HASH, e)).not.toBe(
      hash(KEYRING, 'k2', GENESIS_HASH, { ...e, crossRegion: true }),
    );
    expect(hash(KEYRING, 'k2', GENESIS_HASH, e)).toBe(
      hash(KEYRING, 'k2', GENESIS_HASH, { ...e, details: { nested: { a: 2, b: 1 }, n: 0 } }),
    );
    expect(hash(KEYRING, 'k2', GENESIS_HASH, e)).not.toBe(hash(KEYRING, 'k1', GENESIS_HASH, e));
    expect(hash(KEYRING, 'k2', GENESIS_HASH, e)).not.toBe(hash(OTHER, 'k2', GENESIS_HASH, e));
    expect(hash(KEYRING, 'k2', GENESIS_HASH, e)).not.toBe(legacyAuditEntryHash(GENESIS_HASH, e));
    expect(hash(KEYRING, 'nope', GENESIS_HASH, e)).toBeNull();
  });

  it('R-A3: an intact chain verifies, under any key of the keyring (rotation)', () => {
    const c = chain(entries(5));
    expect(firstBrokenLink(c, GENESIS_HASH, CHECK)).toEqual({ brokenAt: null, last: c[4].hash, anchoredSeen: [] });
    const older = new AuditKeyring([{ kid: 'k1', secret: 'first-key-0123456789abcdef01234567890' }]);
    expect(firstBrokenLink(chain(entries(3), older), GENESIS_HASH, CHECK).brokenAt).toBeNull();
  });

  it('R-A3: an edited entry is reported at that entry', () => {
    const c = chain(entries(5));
    c[2] = { ...c[2], actor: 'someone-else' };
    expect(firstBrokenLink(c, GENESIS_HASH, CHECK)).toMatchObject({ brokenAt: '3', reason: 'hash' });
  });

  it('R-A3: a chain recomputed without the key (plain SHA-256 or another key) is reported at its first entry', () => {
    const forged = entries(5).map((e, i) => (i === 2 ? { ...e, action: 'nothing.happened' } : e));
    expect(firstBrokenLink(chain(forged, null), GENESIS_HASH, CHECK)).toMatchObject({ brokenAt: '1', reason: 'hash' });
    expect(firstBrokenLink(chain(forged, OTHER), GENESIS_HASH, CHECK)).toMatchObject({ brokenAt: '1', reason: 'hash' });
  });

  it('R-A3: unkeyed entries pass only up to the cut-over, and an anchored hash must match', () => {
    const legacy = chain(entries(3), null);
    let prev = legacy[2].hash;
    const keyed = entries(5)
      .slice(3)
      .map((c) => {
        const hash = auditEntryHash(KEYRING, 'k2', prev, c)!;
        const e = { ...c, keyId: 'k2', prevHash: prev, hash };
        prev = hash;
        return e;
      });
    const all = [...legacy, ...keyed];
    const cutOver = { ...CHECK, legacyThrough: '3', anchored: new Map([['3', legacy[2].hash]]) };
    expect(firstBrokenLink(all, GENESIS_HASH, cutOver).brokenAt).toBeNull();
    expect(firstBrokenLink(all, GENESIS_HASH, { ...cutOver, legacyThrough: '2' }).brokenAt).toBe('3');
    expect(firstBrokenLink(all, GENESIS_HASH, CHECK).brokenAt).toBe('1');
    // The unkeyed prefix rewritten and rehashed: its head no longer matches the cut-over anchor.
    const rewritten = chain(
      entries(3).map((e, i) => (i === 0 ? { ...e, actor: 'staff:someone-else' } : e)),
      null,
    );
    expect(firstBrokenLink(rewritten, GENESIS_HASH, cutOver)).toMatchObject({
      brokenAt: '3',
      reason: 'anchor-mismatch',
    });
  });

  it('R-A3: a deleted entry is reported at the one after it', () => {
    const c = chain(entries(5));
    c.splice(1, 1);
    expect(firstBrokenLink(c, GENESIS_HASH, CHECK)).toMatchObject({ brokenAt: '3', reason: 'link' });
  });

  it('R-A3: anchors are signed with the anchor key; a forged or altered one is refused', () => {
    const anchor = signAnchor(KEYRING, { seq: '5', hash: 'a'.repeat(64), at: '2026-01-01T00:00:00.000Z' });
    expect(anchor.keyId).toBe('k2');
    expect(anchorSignatureValid(KEYRING, anchor)).toBe(true);
    expect(anchorSignatureValid(KEYRING, { ...anchor, seq: '4' })).toBe(false);
    expect(anchorSignatureValid(OTHER, anchor)).toBe(false);
    // The entry key never signs an anchor: an entry hash cannot pass for an anchor signature.
    expect(anchor.signature).not.toBe(auditEntryHash(KEYRING, 'k2', 'a'.repeat(64), entries(1)[0]));
    expect(anchoredHashes(KEYRING, [anchor])).toEqual({ anchored: new Map([['5', 'a'.repeat(64)]]) });
    expect(anchoredHashes(KEYRING, [{ ...anchor, hash: 'b'.repeat(64) }])).toEqual({
      brokenAt: '5',
      reason: 'anchor-signature',
    });
  });

  it('R-A3: truncation — the lowest anchored entry the walk did not meet', () => {
    const anchored = new Map([
      ['3', 'x'],
      ['9', 'y'],
      ['7', 'z'],
    ]);
    expect(firstMissingAnchored(anchored, new Set(['3', '7', '9']))).toBeNull();
    expect(firstMissingAnchored(anchored, new Set(['3']))).toBe('7');
    expect(firstMissingAnchored(anchored, new Set())).toBe('3');
  });

  it('R-A3: newest entries deleted and a fresh one appended after the survivors: the anchored entry is not met', () => {
    const c = chain(entries(6));
    const anchored = new Map([['5', c[4].hash]]);
    // Entries 4-6 deleted; a new entry 7 appended, linked to entry 3 (the append path holds the key).
    const next = { ...entries(7)[6], keyId: 'k2', prevHash: c[2].hash };
    const appended = { ...next, hash: auditEntryHash(KEYRING, 'k2', c[2].hash, next)! };
    const walked = firstBrokenLink([...c.slice(0, 3), appended], GENESIS_HASH, { ...CHECK, anchored });
    expect(walked.brokenAt).toBeNull();
    expect(firstMissingAnchored(anchored, new Set(walked.anchoredSeen))).toBe('5');
  });
});
