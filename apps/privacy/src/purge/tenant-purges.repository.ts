import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Region } from '@missive/contracts';
import { Databases, queryRows } from '@missive/database';
import type { AuditAnchor, LifecycleFacts } from '@missive/tenancy';

export interface PurgeCandidate extends LifecycleFacts {
  id: string;
  region: Region;
  status: 'active' | 'terminated' | 'purged';
}

interface CandidateRow {
  id: string;
  region: Region;
  status: 'active' | 'terminated' | 'purged';
  terminated_at: Date | null;
  purge_due_at: Date | null;
  purged_at: Date | null;
  legal_hold_reason: string | null;
  started_at: Date | null;
}

const CANDIDATE_SQL = `SELECT t.id, t.region, t.status, t.terminated_at, t.purge_due_at, t.purged_at, t.legal_hold_reason,
       p.started_at
  FROM tenants t LEFT JOIN tenant_purges p ON p.tenant_id = t.id`;

function toCandidate(row: CandidateRow): PurgeCandidate {
  return {
    id: row.id,
    region: row.region,
    status: row.status,
    terminatedAt: row.terminated_at,
    purgeDueAt: row.purge_due_at,
    purgedAt: row.purged_at,
    legalHoldReason: row.legal_hold_reason,
    purgeStartedAt: row.started_at,
  };
}

/** The purge's view of the global directory: which tenants are due, and the purge record (the certificate, R-P4). */
@Injectable()
export class TenantPurgesRepository {
  constructor(private readonly databases: Databases) {}

  async find(tenantId: string, manager?: EntityManager): Promise<PurgeCandidate | null> {
    const rows = await queryRows<CandidateRow>(manager ?? this.databases.global, `${CANDIDATE_SQL} WHERE t.id = $1`, [
      tenantId,
    ]);
    return rows[0] ? toCandidate(rows[0]) : null;
  }

  /**
   * Tenants of `regions` (their home region, R-P7) whose purge is due by `now` (legal holds excluded) or was started
   * and not finished, oldest first.
   */
  async due(now: Date, regions: readonly Region[], limit = 100): Promise<PurgeCandidate[]> {
    const rows = await queryRows<CandidateRow>(
      this.databases.global,
      `${CANDIDATE_SQL}
        WHERE t.purged_at IS NULL AND t.purge_due_at IS NOT NULL AND t.region = ANY($3)
          AND (p.started_at IS NOT NULL OR (t.purge_due_at <= $1 AND t.legal_hold_reason IS NULL))
        ORDER BY t.purge_due_at LIMIT $2`,
      [now, limit, regions],
    );
    return rows.map(toCandidate);
  }

  /** The earliest purge still ahead among tenants of `regions`, for the scheduler's timer. */
  async nextDueAt(now: Date, regions: readonly Region[]): Promise<Date | null> {
    const rows = await queryRows<{ at: Date | null }>(
      this.databases.global,
      `SELECT min(purge_due_at) AS at FROM tenants
        WHERE purged_at IS NULL AND purge_due_at > $1 AND legal_hold_reason IS NULL AND region = ANY($2)`,
      [now, regions],
    );
    return rows[0]?.at ?? null;
  }

  /**
   * Purged tenants of `regions` whose certificate was written after `since`, the longest unchecked first, at most
   * `limit` (R-P6: a sweep re-checks some, the next ones the others).
   */
  async recentlyPurged(
    regions: readonly Region[],
    since: Date,
    limit: number,
  ): Promise<{ id: string; region: Region }[]> {
    return queryRows<{ id: string; region: Region }>(
      this.databases.global,
      `SELECT t.id, t.region FROM tenants t JOIN tenant_purges p ON p.tenant_id = t.id
        WHERE p.completed_at > $1 AND t.region = ANY($2)
        ORDER BY p.leftovers_checked_at NULLS FIRST, p.completed_at LIMIT $3`,
      [since, regions, limit],
    );
  }

  /** Adds what a re-check deleted to the certificate's record, and when it last looked (R-P6). */
  async recordLeftovers(tenantId: string, found: Record<string, number>, at: Date): Promise<void> {
    await this.databases.global.query(
      `UPDATE tenant_purges SET leftovers_checked_at = $2,
              leftovers_deleted = (SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb) FROM (
                SELECT key, sum(value::bigint) AS total
                  FROM (SELECT * FROM jsonb_each_text(leftovers_deleted) UNION ALL SELECT * FROM jsonb_each_text($3::jsonb)) c
                 GROUP BY key) s)
        WHERE tenant_id = $1`,
      [tenantId, at, JSON.stringify(found)],
    );
  }

  /** Marks the start (once): from here on the termination can no longer be undone or held (R-P5). */
  async start(m: EntityManager, tenantId: string, purgeDueAt: Date, at: Date): Promise<boolean> {
    const rows = await queryRows<{ tenant_id: string }>(
      m,
      `INSERT INTO tenant_purges (tenant_id, purge_due_at, started_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id`,
      [tenantId, purgeDueAt, at],
    );
    return rows.length > 0;
  }

  /** Writes the certificate, with the audit chain's signed head (R-A3), and marks the tenant purged, in the caller's transaction. */
  async complete(
    m: EntityManager,
    tenantId: string,
    deleted: Record<string, number>,
    at: Date,
    auditHead: AuditAnchor,
  ): Promise<void> {
    await m.query(
      `UPDATE tenant_purges SET completed_at = $2, deleted = $3, audit_head = $4::jsonb
        WHERE tenant_id = $1 AND completed_at IS NULL`,
      [tenantId, at, JSON.stringify(deleted), JSON.stringify(auditHead)],
    );
    await m.query(`UPDATE tenants SET status = 'purged', purged_at = $2 WHERE id = $1 AND purged_at IS NULL`, [
      tenantId,
      at,
    ]);
  }
}
