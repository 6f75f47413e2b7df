import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Region } from '@missive/contracts';
import { Databases, queryRows } from '@missive/database';
import type { AuditAnchor, TenantStatus } from '@missive/tenancy';

export interface TenantRecord {
  id: string;
  name: string;
  region: Region;
  status: TenantStatus;
  transferSafeguard: string | null;
  terminatedAt: Date | null;
  purgeDueAt: Date | null;
  purgedAt: Date | null;
  legalHoldReason: string | null;
  createdAt: Date;
}

interface TenantRow {
  id: string;
  name: string;
  region: Region;
  status: TenantStatus;
  transfer_safeguard: string | null;
  terminated_at: Date | null;
  purge_due_at: Date | null;
  purged_at: Date | null;
  legal_hold_reason: string | null;
  created_at: Date;
}

export interface PurgeRecord {
  tenantId: string;
  purgeDueAt: Date;
  startedAt: Date;
  completedAt: Date | null;
  deleted: Record<string, number> | null;
  /** What re-checks after the certificate found and deleted, per store (R-P6); empty when nothing came back. */
  leftoversDeleted: Record<string, number>;
  /** The audit chain's signed head when the certificate was written (R-A3); null for certificates written before. */
  auditHead: AuditAnchor | null;
}

interface PurgeRow {
  tenant_id: string;
  purge_due_at: Date;
  started_at: Date;
  completed_at: Date | null;
  deleted: Record<string, number> | null;
  leftovers_deleted: Record<string, number>;
  audit_head: AuditAnchor | null;
}

const COLUMNS =
  'id, name, region, status, transfer_safeguard, terminated_at, purge_due_at, purged_at, legal_hold_reason, created_at';

function toRecord(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    region: row.region,
    status: row.status,
    transferSafeguard: row.transfer_safeguard,
    terminatedAt: row.terminated_at,
    purgeDueAt: row.purge_due_at,
    purgedAt: row.purged_at,
    legalHoldReason: row.legal_hold_reason,
    createdAt: row.created_at,
  };
}

/** Tenants and their hashed API keys in the global directory (R-T2: no contact personal data here). */
@Injectable()
export class TenantsRepository {
  constructor(private readonly databases: Databases) {}

  async insert(
    manager: EntityManager,
    tenant: { id: string; name: string; region: Region; transferSafeguard: string | null },
  ): Promise<TenantRecord> {
    const rows: TenantRow[] = await manager.query(
      `INSERT INTO tenants (id, name, region, transfer_safeguard) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [tenant.id, tenant.name, tenant.region, tenant.transferSafeguard],
    );
    return toRecord(rows[0]);
  }

  async findById(id: string, manager?: EntityManager): Promise<TenantRecord | null> {
    const rows: TenantRow[] = await (manager ?? this.databases.global).query(
      `SELECT ${COLUMNS} FROM tenants WHERE id = $1`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The row, locked for a lifecycle change (termination, reactivation, legal hold) in this transaction. */
  async lockById(manager: EntityManager, id: string): Promise<TenantRecord | null> {
    const rows: TenantRow[] = await manager.query(`SELECT ${COLUMNS} FROM tenants WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Records (or moves) the termination; `terminatedAt` null reactivates. */
  async setTermination(
    manager: EntityManager,
    id: string,
    termination: { terminatedAt: Date; purgeDueAt: Date } | null,
  ): Promise<TenantRecord> {
    const rows = await queryRows<TenantRow>(
      manager,
      `UPDATE tenants SET status = $2, terminated_at = $3, purge_due_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, termination ? 'terminated' : 'active', termination?.terminatedAt ?? null, termination?.purgeDueAt ?? null],
    );
    return toRecord(rows[0]);
  }

  async setLegalHold(manager: EntityManager, id: string, reason: string | null): Promise<TenantRecord> {
    const rows = await queryRows<TenantRow>(
      manager,
      `UPDATE tenants SET legal_hold_reason = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, reason],
    );
    return toRecord(rows[0]);
  }

  /** The tenant's purge, if one started: its start, and when finished its certificate. */
  async findPurge(id: string, manager?: EntityManager): Promise<PurgeRecord | null> {
    const rows: PurgeRow[] = await (manager ?? this.databases.global).query(
      `SELECT tenant_id, purge_due_at, started_at, completed_at, deleted, leftovers_deleted, audit_head
         FROM tenant_purges WHERE tenant_id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      tenantId: row.tenant_id,
      purgeDueAt: row.purge_due_at,
      startedAt: row.started_at,
      completedAt: row.completed_at,
      deleted: row.deleted,
      leftoversDeleted: row.leftovers_deleted,
      auditHead: row.audit_head,
    };
  }

  async findByIds(ids: string[]): Promise<TenantRecord[]> {
    const rows: TenantRow[] = await this.databases.global.query(
      `SELECT ${COLUMNS} FROM tenants WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toRecord);
  }

  async insertApiKey(manager: EntityManager, key: { id: string; tenantId: string; keyHash: string }): Promise<void> {
    await manager.query('INSERT INTO api_keys (id, tenant_id, key_hash) VALUES ($1, $2, $3)', [
      key.id,
      key.tenantId,
      key.keyHash,
    ]);
  }

  /** 'revoked' now, 'already' if it was, 'missing' if the tenant has no such key (another tenant's key included). */
  async revokeApiKey(
    manager: EntityManager,
    tenantId: string,
    keyId: string,
  ): Promise<'revoked' | 'already' | 'missing'> {
    // A CTE so the driver returns the rows (a bare UPDATE answers [rows, count] through TypeORM).
    const rows: { was_revoked: boolean }[] = await manager.query(
      `WITH updated AS (
         UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND tenant_id = $2
         RETURNING (revoked_at < now()) AS was_revoked
       ) SELECT was_revoked FROM updated`,
      [keyId, tenantId],
    );
    if (rows.length === 0) return 'missing';
    return rows[0].was_revoked ? 'already' : 'revoked';
  }
}
