import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import type { StaffIdentity, StaffRole } from './staff.rules';

interface StaffRow {
  id: string;
  name: string;
  role: StaffRole;
  region: Region;
  token_hash: string;
}

/** Staff tokens in the global directory, stored as SHA-256 hashes (R-A1, R-X1). */
@Injectable()
export class StaffRepository {
  constructor(private readonly databases: Databases) {}

  async findActiveByTokenHash(tokenHash: string): Promise<(StaffIdentity & { tokenHash: string }) | null> {
    const rows: StaffRow[] = await this.databases.global.query(
      'SELECT id, name, role, region, token_hash FROM staff WHERE token_hash = $1 AND revoked_at IS NULL',
      [tokenHash],
    );
    const row = rows[0];
    return row ? { id: row.id, name: row.name, role: row.role, region: row.region, tokenHash: row.token_hash } : null;
  }

  /** The staff token's holder, locked for its revocation; revoked ones included. */
  async lockById(manager: EntityManager, id: string): Promise<{ role: StaffRole; region: Region } | null> {
    const rows: { role: StaffRole; region: Region }[] = await manager.query(
      'SELECT role, region FROM staff WHERE id = $1 FOR UPDATE',
      [id],
    );
    return rows[0] ?? null;
  }

  /** R-A1, R-X2: whether an active admin staff token of this region exists (the bootstrap token then retires). */
  async activeAdminExists(region: Region): Promise<boolean> {
    const rows: unknown[] = await this.databases.global.query(
      `SELECT 1 FROM staff WHERE role = 'admin' AND region = $1 AND revoked_at IS NULL LIMIT 1`,
      [region],
    );
    return rows.length > 0;
  }

  async insert(
    manager: EntityManager,
    staff: { id: string; name: string; role: StaffRole; region: Region; tokenHash: string; createdBy: string },
  ): Promise<void> {
    await manager.query(
      'INSERT INTO staff (id, name, role, region, token_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
      [staff.id, staff.name, staff.role, staff.region, staff.tokenHash, staff.createdBy],
    );
  }

  /** 'revoked' now, 'already' if it was, 'missing' if there is no such staff token. */
  async revoke(manager: EntityManager, id: string): Promise<'revoked' | 'already' | 'missing'> {
    const rows: { was_revoked: boolean }[] = await manager.query(
      // A CTE so the driver returns the rows (a bare UPDATE answers [rows, count] through TypeORM).
      `WITH updated AS (
         UPDATE staff SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
         RETURNING (revoked_at < now()) AS was_revoked
       ) SELECT was_revoked FROM updated`,
      [id],
    );
    if (rows.length === 0) return 'missing';
    return rows[0].was_revoked ? 'already' : 'revoked';
  }
}
