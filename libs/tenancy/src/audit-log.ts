import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Databases } from '@missive/database';
import { auditEntryHash, firstBrokenLink, GENESIS_HASH, type ChainedAuditEntry } from './audit-chain.rules';

/** What a caller records. `details` carries ids, codes and routes — never personal data (R-T2). */
export interface AuditAppend {
  /** `staff:<id>`, `tenant:<id>`, `system:<service>`. */
  actor: string;
  /** `tenant.created`, `api-key.revoked`, `GET /internal/v1/tenants/:id`, … */
  action: string;
  tenantId?: string | null;
  /** R-T4: staff of one region touching a tenant of the other. */
  crossRegion?: boolean;
  details?: Record<string, unknown>;
}

export type AuditVerification = { ok: true; entries: number } | { ok: false; brokenAt: string };

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  tenant_id: string | null;
  cross_region: boolean;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** Serialises appends so the chain is one line: each entry links to the one committed before it. */
const AUDIT_LOCK_ID = 727200;
const VERIFY_PAGE = 5000;
const COLUMNS = 'id::text AS id, at, actor, action, tenant_id, cross_region, details, prev_hash, hash';

function toEntry(row: AuditRow): ChainedAuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    tenantId: row.tenant_id,
    crossRegion: row.cross_region,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The append-only, hash-chained audit log in the global directory (R-A3). Any service records a
 * security-relevant action with `append`, inside its own global-database transaction when the action writes
 * there (the entry then commits or rolls back with it), or on its own.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly databases: Databases) {}

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
    const hash = auditEntryHash(prevHash, content);
    await manager.query(
      `INSERT INTO audit_log (id, at, actor, action, tenant_id, cross_region, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
      [
        id,
        content.at,
        content.actor,
        content.action,
        content.tenantId,
        content.crossRegion,
        JSON.stringify(content.details),
        prevHash,
        hash,
      ],
    );
    return { ...content, prevHash, hash };
  }

  /** Newest first. */
  async list(filter: { tenantId?: string; limit: number }): Promise<ChainedAuditEntry[]> {
    const rows: AuditRow[] = await this.databases.global.query(
      `SELECT ${COLUMNS} FROM audit_log WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid) ORDER BY audit_log.id DESC LIMIT $2`,
      [filter.tenantId ?? null, filter.limit],
    );
    return rows.map(toEntry);
  }

  /** R-A3: re-hashes the whole chain in id order and reports the first entry that does not match. */
  async verify(): Promise<AuditVerification> {
    let previous = GENESIS_HASH;
    let after = '0';
    let count = 0;
    for (;;) {
      const rows: AuditRow[] = await this.databases.global.query(
        `SELECT ${COLUMNS} FROM audit_log WHERE audit_log.id > $1::bigint ORDER BY audit_log.id LIMIT $2`,
        [after, VERIFY_PAGE],
      );
      if (rows.length === 0) return { ok: true, entries: count };
      const result = firstBrokenLink(rows.map(toEntry), previous);
      if (result.brokenAt) return { ok: false, brokenAt: result.brokenAt };
      previous = result.last;
      after = rows[rows.length - 1].id;
      count += rows.length;
    }
  }
}
