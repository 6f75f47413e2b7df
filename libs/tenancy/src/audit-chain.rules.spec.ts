import {
  auditEntryHash,
  canonicalJson,
  firstBrokenLink,
  GENESIS_HASH,
  type AuditEntryContent,
  type ChainedAuditEntry,
} from './audit-chain.rules';

function chain(contents: AuditEntryContent[]): ChainedAuditEntry[] {
  let prev = GENESIS_HASH;
  return contents.map((c) => {
    const hash = auditEntryHash(prev, c);
    const entry = { ...c, prevHash: prev, hash };
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

  it('R-A3: each hash covers the previous hash and the entry', () => {
    const [e] = entries(1);
    expect(auditEntryHash(GENESIS_HASH, e)).not.toBe(auditEntryHash('f'.repeat(64), e));
    expect(auditEntryHash(GENESIS_HASH, e)).not.toBe(auditEntryHash(GENESIS_HASH, { ...e, crossRegion: true }));
    expect(auditEntryHash(GENESIS_HASH, e)).toBe(
      auditEntryHash(GENESIS_HASH, { ...e, details: { nested: { a: 2, b: 1 }, n: 0 } }),
    );
  });

  it('R-A3: an intact chain verifies', () => {
    const c = chain(entries(5));
    expect(firstBrokenLink(c, GENESIS_HASH)).toEqual({ brokenAt: null, last: c[4].hash });
  });

  it('R-A3: an edited entry is reported at that entry', () => {
    const c = chain(entries(5));
    c[2] = { ...c[2], actor: 'someone-else' };
    expect(firstBrokenLink(c, GENESIS_HASH).brokenAt).toBe('3');
  });

  it('R-A3: an edited entry whose hash was recomputed breaks the next link', () => {
    const c = chain(entries(5));
    const forged = { ...c[2], action: 'nothing.happened' };
    c[2] = { ...forged, hash: auditEntryHash(forged.prevHash, forged) };
    expect(firstBrokenLink(c, GENESIS_HASH).brokenAt).toBe('4');
  });

  it('R-A3: a deleted entry is reported at the one after it', () => {
    const c = chain(entries(5));
    c.splice(1, 1);
    expect(firstBrokenLink(c, GENESIS_HASH).brokenAt).toBe('3');
  });
});
