import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@missive/database';
import type {
  ListCursor,
  PrivacyRequestSource,
  PrivacyRequestStatus,
  PrivacyRequestType,
  RequestDeadlines,
} from './privacy-request.rules';

export interface PrivacyRequestRow {
  id: string;
  type: PrivacyRequestType;
  status: PrivacyRequestStatus;
  source: PrivacyRequestSource;
  received_at: Date;
  acknowledge_by: Date | null;
  due_at: Date;
  completed_at: Date | null;
  result: unknown;
}

export interface NewPrivacyRequest {
  /** Given for a referral (support chose it, R-D3); otherwise generated. */
  id?: string;
  type: PrivacyRequestType;
  source: PrivacyRequestSource;
  status: PrivacyRequestStatus;
  contactId: string | null;
  /** The address as a keyed hash (R-D2 key): never the address itself. */
  addressHash: string | null;
  receivedAt: Date;
  deadlines: RequestDeadlines;
  result: unknown;
}

export type PrivacyRequestListRow = Omit<PrivacyRequestRow, 'result'>;

const LIST_COLUMNS = 'id, type, status, source, received_at, acknowledge_by, due_at, completed_at';
const COLUMNS = `${LIST_COLUMNS}, result`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Queries on `privacy_requests`; every method takes the tenant id and runs inside `withTenant` (R-T1). */
@Injectable()
export class PrivacyRequestsRepository {
  /** Records a request; a referral already recorded (a redelivered event) is left as it is (null). */
  async insert(m: EntityManager, tenantId: string, request: NewPrivacyRequest): Promise<PrivacyRequestRow | null> {
    const rows: PrivacyRequestRow[] = await m.query(
      `INSERT INTO privacy_requests (id, tenant_id, type, status, source, contact_id, address_hash, received_at,
         acknowledge_by, due_at, completed_at, result)
       VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9, $10,
         CASE WHEN $4 = 'pending' THEN NULL ELSE now() END, $11::jsonb)
       ON CONFLICT (id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        request.id ?? null,
        tenantId,
        request.type,
        request.status,
        request.source,
        request.contactId,
        request.addressHash,
        request.receivedAt,
        request.deadlines.acknowledgeBy,
        request.deadlines.dueAt,
        request.result === undefined || request.result === null ? null : JSON.stringify(request.result),
      ],
    );
    return rows[0] ?? null;
  }

  /** `forUpdate` locks the row until the transaction ends, so two closes of one request take turns (R-D3). */
  async find(m: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<PrivacyRequestRow | null> {
    if (!UUID.test(id)) return null;
    const rows: PrivacyRequestRow[] = await m.query(
      `SELECT ${COLUMNS} FROM privacy_requests WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  /** A page of the tenant's requests, newest first, optionally of one status (R-D3); `result` is left out. */
  async list(
    m: EntityManager,
    tenantId: string,
    query: { status: PrivacyRequestStatus | null; after: ListCursor | null; limit: number },
  ): Promise<PrivacyRequestListRow[]> {
    return m.query(
      `SELECT ${LIST_COLUMNS} FROM privacy_requests
        WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (received_at, id) < ($3, $4::uuid))
        ORDER BY received_at DESC, id DESC
        LIMIT $5`,
      [tenantId, query.status, query.after?.receivedAt ?? null, query.after?.id ?? null, query.limit],
    );
  }

  /** Closes a pending request (R-D3): its new status, `completed_at` now, and `result` (a rejection's reason). */
  async close(
    m: EntityManager,
    tenantId: string,
    id: string,
    status: PrivacyRequestStatus,
    result: unknown,
  ): Promise<PrivacyRequestRow> {
    const rows = await queryRows<PrivacyRequestRow>(
      m,
      `UPDATE privacy_requests SET status = $3, completed_at = now(), result = $4::jsonb
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending'
        RETURNING ${COLUMNS}`,
      [tenantId, id, status, result === null || result === undefined ? null : JSON.stringify(result)],
    );
    return rows[0];
  }
}
