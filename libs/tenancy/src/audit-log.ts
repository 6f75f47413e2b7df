import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Region } from '@missive/contracts';
import { MissiveConfig } from '@missive/config';
import { Databases, queryRows } from '@missive/database';
import {
  anchoredHashes,
  auditEntryHash,
  AuditKeyring,
  firstBrokenLink,
  firstMissingAnchored,
  GENESIS_HASH,
  signAnchor,
  type AuditAnchor,
  type AuditBreak,
  type ChainCheck,
  type ChainedAuditEntry,
} from './audit-chain.rules';

/** What a caller records. `details` carries ids, codes and routes — never personal data (R-T2). */
export interface AuditAppend {
  /** `staff:<id>`, `tenant:<id>`, `api-key:<id>`, `system:<service>`. */
  actor: string;
  /** `tenant.created`, `api-key.revoked`, `GET /internal/v1/tenants/:id`, … */
  action: string;
  tenantId?: string | null;
  /** R-T4: staff of one region touching a tenant of the other. */
  crossRegion?: boolean;
  details?: Record<string, unknown>;
}

export type AuditVerification =
  | { ok: true; entries: number; lastAnchor: { seq: number; at: string } | null }
  | { ok: false; brokenAt: string; reason: AuditBreak };

/** `cut-over`: the head of the unkeyed chain, vouched for once when the keyed chain began; `scheduled`: the job's. */
export type AuditAnchorKind = 'cut-over' | 'scheduled';

export type AnchorOutcome =
  | { written: true; kind: AuditAnchorKind; anchor: AuditAnchor }
  | { written: false; reason: 'empty' | 'fresh' }
  | { written: false; reason: 'broken'; brokenAt: string; because: AuditBreak };

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  tenant_id: string | null;
  cross_region: boolean;
  details: Record<string, unknown>;
  key_id: string | null;
  prev_hash: string;
  hash: string;
}

interface AnchorRow {
  kind: AuditAnchorKind;
  seq: string;
  hash: string;
  at: Date;
  key_id: string;
  signature: string;
}

/** Serialises appends so the chain is one line: each entry links to the one committed before it. */
const AUDIT_LOCK_ID = 727200;
/** Serialises anchor writers (every support replica runs the job). */
const ANCHOR_LOCK_ID = 727201;
const VERIFY_PAGE = 5000;
const COLUMNS = 'id::text AS id, at, actor, action, tenant_id, cross_region, details, key_id, prev_hash, hash';
const ANCHOR_COLUMNS = 'kind, seq::text AS seq, hash, at, key_id, signature';

function toEntry(row: AuditRow): ChainedAuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    tenantId: row.tenant_id,
    crossRegion: row.cross_region,
    details: row.details,
    keyId: row.key_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function toAnchor(row: AnchorRow): AuditAnchor {
  return { seq: row.seq, hash: row.hash, at: row.at.toISOString(), keyId: row.key_id, signature: row.signature };
}

type Queryable = Pick<EntityManager, 'query'>;

/**
 * The append-only, keyed hash chain of audit entries in the global directory (R-A3). Any service records a
 * security-relevant action with `append`, inside its own global-database transaction when the action writes
 * there (the entry then commits or rolls back with it), or on its own. Each hash is an HMAC under a key from the
 * configuration (AUDIT_CHAIN_KEYS), never stored in the database; the head is signed and anchored outside the table
 * (`anchor`, run at least hourly by support, and every purge certificate), so `verify` also catches deleted newest
 * entries and a recomputed chain.
 */
@Injectable()
export class AuditLog {
  private readonly keyring: AuditKeyring;

  constructor(
    private readonly databases: Databases,
    config: MissiveConfig,
  ) {
    this.keyring = new AuditKeyring(config.audit.chainKeys);
  }

  append(entry: AuditAppend, globalManager?: EntityManager): Promise<ChainedAuditEntry> {
    if (globalManager) return this.appendIn(globalManager, entry);
    return this.databases.global.transaction((manager) => this.appendIn(manager, entry));
  }

  private async appendIn(manager: EntityManager, entry: AuditAppend): Promise<ChainedAuditEntry> {
    // Held until the caller's transaction ends, so the next append sees this entry as its predecessor.
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_ID]);
    const [last]: { hash: string }[] = await manager.query('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
    const [{ id }]: { id: string }[] = await manager.query(`SELECT nextval('audit_log_id_seq')::text AS id`);
    const content = {
      id,
      at: new Date().toISOString(),
      actor: entry.actor,
      action: entry.action,
      tenantId: entry.tenantId ?? null,
      crossRegion: entry.crossRegion ?? false,
      // Hashed exactly as stored: a Date or undefined in details would hash differently from its JSON form.
      details: JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const keyId = this.keyring.signingKeyId;
    const hash = auditEntryHash(this.keyring, keyId, prevHash, content)!;
    await manager.query(
      `INSERT INTO audit_log (id, at, actor, action, tenant_id, cross_region, details, key_id, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)`,
      [
        id,
        content.at,
        content.actor,
        content.action,
        content.tenantId,
        content.crossRegion,
        JSON.stringify(content.details),
        keyId,
        prevHash,
        hash,
      ],
    );
    return { ...content, keyId, prevHash, hash };
  }

  /**
   * R-A3, R-P4: `entry` signed as the chain's head. Called with the entry just appended in the caller's transaction,
   * whose lock keeps it the head until that transaction commits (the purge certificate's head).
   */
  signHead(entry: Pick<ChainedAuditEntry, 'id' | 'hash'>, at: Date = new Date()): AuditAnchor {
    return signAnchor(this.keyring, { seq: entry.id, hash: entry.hash, at: at.toISOString() });
  }

  /** Newest first. `region` (R-A1): only entries of that region's tenants and entries of no tenant. */
  async list(filter: { tenantId?: string; region?: Region; limit: number }): Promise<ChainedAuditEntry[]> {
    const rows: AuditRow[] = await this.databases.global.query(
      `SELECT ${COLUMNS} FROM audit_log
        WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid)
          AND ($3::text IS NULL OR tenant_id IS NULL OR tenant_id IN (SELECT id FROM tenants WHERE region = $3::text))
        ORDER BY audit_log.id DESC LIMIT $2`,
      [filter.tenantId ?? null, filter.limit, filter.region ?? null],
    );
    return rows.map(toEntry);
  }

  /**
   * R-A3: re-hashes the whole chain in id order under the configured keys and reports the first entry that does not
   * match: an edited entry, a removed one, a chain recomputed without the key, an entry whose hash differs from an
   * anchor or a purge certificate's head, or — truncation — an anchored entry that is no longer there.
   */
  async verify(): Promise<AuditVerification> {
    const global = this.databases.global;
    const anchorRows = await queryRows<AnchorRow>(global, `SELECT ${ANCHOR_COLUMNS} FROM audit_anchors ORDER BY id`);
    const heads = await queryRows<{ audit_head: AuditAnchor }>(
      global,
      'SELECT audit_head FROM tenant_purges WHERE audit_head IS NOT NULL ORDER BY completed_at',
    );
    const anchors = [...anchorRows.map(toAnchor), ...heads.map((h) => h.audit_head)];
    const found = anchoredHashes(this.keyring, anchors);
    if ('brokenAt' in found) return { ok: false, brokenAt: found.brokenAt, reason: found.reason };
    const check: ChainCheck = {
      keyring: this.keyring,
      legacyThrough: anchorRows.find((a) => a.kind === 'cut-over')?.seq ?? null,
      anchored: found.anchored,
    };
    const walked = await this.walk(global, '0', GENESIS_HASH, check);
    if (walked.brokenAt) return { ok: false, brokenAt: walked.brokenAt, reason: walked.reason! };
    const missing = firstMissingAnchored(found.anchored, walked.anchoredSeen);
    if (missing) return { ok: false, brokenAt: missing, reason: 'truncated' };
    const last = anchorRows[anchorRows.length - 1];
    return {
      ok: true,
      entries: walked.count,
      lastAnchor: last ? { seq: Number(last.seq), at: last.at.toISOString() } : null,
    };
  }

  /**
   * R-A3: signs the current head and appends it to `audit_anchors` (outside the audit table), after checking the
   * entries added since the previous anchor; a broken chain is never anchored. The first anchor of a database that
   * holds unkeyed entries (written before the keyed chain) is the cut-over: it vouches for that chain's head once,
   * after verifying it, and from then on only keyed entries may follow. `freshMs`: no new anchor when nothing was
   * appended since one written this recently (several replicas run the job).
   */
  anchor(options: { freshMs?: number; now?: Date } = {}): Promise<AnchorOutcome> {
    return this.databases.global.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [ANCHOR_LOCK_ID]);
      const now = options.now ?? new Date();
      const [latest] = await queryRows<AnchorRow>(
        m,
        `SELECT ${ANCHOR_COLUMNS} FROM audit_anchors ORDER BY id DESC LIMIT 1`,
      );
      if (!latest) {
        const [legacy] = await queryRows<{ id: string; hash: string }>(
          m,
          'SELECT id::text AS id, hash FROM audit_log WHERE key_id IS NULL ORDER BY audit_log.id DESC LIMIT 1',
        );
        if (legacy) {
          const check: ChainCheck = { keyring: this.keyring, legacyThrough: legacy.id, anchored: new Map() };
          const walked = await this.walk(m, '0', GENESIS_HASH, check, legacy.id);
          if (walked.brokenAt)
            return { written: false, reason: 'broken', brokenAt: walked.brokenAt, because: walked.reason! };
          return { written: true, kind: 'cut-over', anchor: await this.insertAnchor(m, 'cut-over', legacy, now) };
        }
      }
      const [head] = await queryRows<{ id: string; hash: string }>(
        m,
        'SELECT id::text AS id, hash FROM audit_log ORDER BY audit_log.id DESC LIMIT 1',
      );
      if (!head) return { written: false, reason: 'empty' };
      if (
        latest &&
        latest.seq === head.id &&
        options.freshMs !== undefined &&
        now.getTime() - latest.at.getTime() < options.freshMs
      ) {
        return { written: false, reason: 'fresh' };
      }
      const broken = latest ? await this.brokenSince(m, latest) : await this.brokenSinceGenesis(m);
      if (broken) return { written: false, reason: 'broken', brokenAt: broken.brokenAt, because: broken.reason };
      return { written: true, kind: 'scheduled', anchor: await this.insertAnchor(m, 'scheduled', head, now) };
    });
  }

  /** The entries after the latest anchor: the anchored one still there with its hash, and each one after it valid. */
  private async brokenSince(m: Queryable, latest: AnchorRow): Promise<{ brokenAt: string; reason: AuditBreak } | null> {
    const [row] = await queryRows<{ hash: string }>(m, 'SELECT hash FROM audit_log WHERE id = $1::bigint', [
      latest.seq,
    ]);
    if (!row) return { brokenAt: latest.seq, reason: 'truncated' };
    if (row.hash !== latest.hash) return { brokenAt: latest.seq, reason: 'anchor-mismatch' };
    const [cutOver] = await queryRows<{ seq: string }>(
      m,
      `SELECT seq::text AS seq FROM audit_anchors WHERE kind = 'cut-over' ORDER BY id LIMIT 1`,
    );
    const check: ChainCheck = { keyring: this.keyring, legacyThrough: cutOver?.seq ?? null, anchored: new Map() };
    const walked = await this.walk(m, latest.seq, latest.hash, check);
    return walked.brokenAt ? { brokenAt: walked.brokenAt, reason: walked.reason! } : null;
  }

  private async brokenSinceGenesis(m: Queryable): Promise<{ brokenAt: string; reason: AuditBreak } | null> {
    const check: ChainCheck = { keyring: this.keyring, legacyThrough: null, anchored: new Map() };
    const walked = await this.walk(m, '0', GENESIS_HASH, check);
    return walked.brokenAt ? { brokenAt: walked.brokenAt, reason: walked.reason! } : null;
  }

  private async insertAnchor(
    m: Queryable,
    kind: AuditAnchorKind,
    head: { id: string; hash: string },
    now: Date,
  ): Promise<AuditAnchor> {
    const anchor = this.signHead(head, now);
    await m.query(
      `INSERT INTO audit_anchors (kind, seq, hash, at, key_id, signature) VALUES ($1, $2::bigint, $3, $4, $5, $6)`,
      [kind, anchor.seq, anchor.hash, anchor.at, anchor.keyId, anchor.signature],
    );
    return anchor;
  }

  /** Pages through the entries after `after` (up to `through`), linking from `prevHash`. */
  private async walk(
    db: Queryable,
    after: string,
    prevHash: string,
    check: ChainCheck,
    through?: string,
  ): Promise<{ brokenAt: string | null; reason?: AuditBreak; count: number; anchoredSeen: Set<string> }> {
    let previous = prevHash;
    let count = 0;
    const anchoredSeen = new Set<string>();
    for (;;) {
      const rows = await queryRows<AuditRow>(
        db,
        `SELECT ${COLUMNS} FROM audit_log
          WHERE audit_log.id > $1::bigint AND ($2::bigint IS NULL OR audit_log.id <= $2::bigint)
          ORDER BY audit_log.id LIMIT $3`,
        [after, through ?? null, VERIFY_PAGE],
      );
      if (rows.length === 0) return { brokenAt: null, count, anchoredSeen };
      const result = firstBrokenLink(rows.map(toEntry), previous, check);
      for (const seq of result.anchoredSeen) anchoredSeen.add(seq);
      if (result.brokenAt) return { brokenAt: result.brokenAt, reason: result.reason, count, anchoredSeen };
      previous = result.last;
      after = rows[rows.length - 1].id;
      count += rows.length;
    }
  }
}
