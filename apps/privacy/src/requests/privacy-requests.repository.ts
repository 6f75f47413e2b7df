import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
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

const COLUMNS = 'id, type, status, source, received_at, acknowledge_by, due_at, completed_at, result';
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

  async find(m: EntityManager, tenantId: string, id: string): Promise<PrivacyRequestRow | null> {
    if (!UUID.test(id)) return null;
    const rows: PrivacyRequestRow[] = await m.query(
      `SELECT ${COLUMNS} FROM privacy_requests WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }
}
