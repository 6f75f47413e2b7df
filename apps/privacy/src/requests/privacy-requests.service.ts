import { Injectable } from '@nestjs/common';
import { normaliseEmail } from '@missive/contact-domain';
import { Databases } from '@missive/database';
import { ConflictError, InvalidInputError, NotFoundError } from '@missive/http';
import { apiKeyActor, AuditLog, type TenantContext } from '@missive/tenancy';
import { DataSubjectActions, type ActionOutcome } from './data-subject-actions';
import {
  DEFAULT_PAGE,
  type CreatePrivacyRequestDto,
  type ListPrivacyRequestsQuery,
  type PrivacyRequestAcceptedDto,
  type PrivacyRequestDto,
  type PrivacyRequestPageDto,
  type PrivacyRequestSummaryDto,
} from './dto/privacy-request.dto';
import {
  changesProblems,
  closeDecision,
  decodeCursor,
  encodeCursor,
  requestDeadlines,
  requestRegime,
  serveDecision,
} from './privacy-request.rules';
import {
  PrivacyRequestsRepository,
  type PrivacyRequestListRow,
  type PrivacyRequestRow,
} from './privacy-requests.repository';

type Tenant = Pick<TenantContext, 'id' | 'region' | 'transferSafeguard'>;

export function toPrivacyRequestDto(row: PrivacyRequestRow): PrivacyRequestDto {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    receivedAt: row.received_at.toISOString(),
    ...(row.acknowledge_by ? { acknowledgeBy: row.acknowledge_by.toISOString() } : {}),
    dueAt: row.due_at.toISOString(),
    ...(row.completed_at ? { completedAt: row.completed_at.toISOString() } : {}),
    ...(row.result !== null && row.result !== undefined ? { result: row.result } : {}),
  };
}

function toSummary(row: PrivacyRequestListRow): PrivacyRequestSummaryDto {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    source: row.source,
    receivedAt: row.received_at.toISOString(),
    ...(row.acknowledge_by ? { acknowledgeBy: row.acknowledge_by.toISOString() } : {}),
    dueAt: row.due_at.toISOString(),
    ...(row.completed_at ? { completedAt: row.completed_at.toISOString() } : {}),
  };
}

function toAccepted(row: PrivacyRequestRow): PrivacyRequestAcceptedDto {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    dueAt: row.due_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    ...(row.acknowledge_by ? { acknowledgeBy: row.acknowledge_by.toISOString() } : {}),
  };
}

/**
 * Data-subject requests from the tenant API (R-D1). A request is served as it arrives: in one tenant transaction
 * the person is looked up, the request is carried out (or rejected with a reason when nothing can be done) and
 * recorded with its due dates, so the answer is already `completed` or `rejected`. Invalid changes roll all of it
 * back (400, nothing half-written, R-C5).
 */
@Injectable()
export class PrivacyRequestsService {
  constructor(
    private readonly databases: Databases,
    private readonly requests: PrivacyRequestsRepository,
    private readonly actions: DataSubjectActions,
    private readonly audit: AuditLog,
  ) {}

  async submit(
    tenant: Tenant & Pick<TenantContext, 'apiKeyId'>,
    dto: CreatePrivacyRequestDto,
  ): Promise<PrivacyRequestAcceptedDto> {
    const problems = changesProblems(dto.type, dto.changes);
    if (problems.length > 0) throw new InvalidInputError('Invalid input: changes', problems);
    const receivedAt = new Date();
    const email = normaliseEmail(dto.email);
    const { row, outcome } = await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const subject = await this.actions.find(m, tenant, email);
      const decision = serveDecision(dto.type, { contact: subject.contact !== null, suppression: subject.suppressed });
      const outcome: ActionOutcome = decision.serve
        ? await this.actions.perform(m, tenant, dto.type, subject, dto.changes)
        : { result: { reason: decision.reason } };
      const regime = requestRegime(tenant.region, subject.contact?.region ?? null);
      const recorded = await this.requests.insert(m, tenant.id, {
        type: dto.type,
        source: 'api',
        status: decision.serve ? 'completed' : 'rejected',
        // An erased contact's id is not kept with the request that erased it.
        contactId: dto.type === 'erasure' ? null : (subject.contact?.id ?? null),
        addressHash: subject.addressHash,
        receivedAt,
        deadlines: requestDeadlines(regime, receivedAt),
        result: outcome.result,
      });
      return { row: recorded!, outcome };
    });
    await outcome.afterCommit?.();
    // R-A3: data-subject requests (erasure above all) are security-relevant; ids and outcome only.
    await this.audit.append({
      actor: apiKeyActor(tenant),
      action: `privacy-request.${dto.type}`,
      tenantId: tenant.id,
      details: { requestId: row.id, status: row.status },
    });
    return toAccepted(row);
  }

  async get(tenant: Tenant, id: string): Promise<PrivacyRequestDto> {
    const row = await this.databases.withTenant(tenant.region, tenant.id, (m) => this.requests.find(m, tenant.id, id));
    if (!row) throw new NotFoundError('Privacy request');
    return toPrivacyRequestDto(row);
  }

  /** R-D3: the tenant's requests, newest first, a page at a time (referred ones are those with source `support`). */
  async list(tenant: Tenant, query: ListPrivacyRequestsQuery): Promise<PrivacyRequestPageDto> {
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) {
      throw new InvalidInputError('Invalid input: cursor', [
        { field: 'cursor', reason: 'is not a cursor of this list' },
      ]);
    }
    const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit);
    const rows = await this.databases.withTenant(tenant.region, tenant.id, (m) =>
      this.requests.list(m, tenant.id, { status: query.status ?? null, after, limit: limit + 1 }),
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toSummary),
      nextCursor: rows.length > limit ? encodeCursor({ receivedAt: last.received_at, id: last.id }) : null,
    };
  }

  /**
   * R-D3: the tenant closes a request support referred to it, once (a closed one answers 409). A rejection keeps
   * its reason as the request's `result`, as the API's own rejections do. Audited as a security-relevant tenant
   * action (R-A3) with ids only: the reason may name the person and stays in the tenant's region (R-T2).
   */
  async close(
    tenant: Tenant & Pick<TenantContext, 'apiKeyId'>,
    id: string,
    closing: { action: 'complete' } | { action: 'reject'; reason: string },
  ): Promise<PrivacyRequestDto> {
    const row = await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      const current = await this.requests.find(m, tenant.id, id, true);
      if (!current) throw new NotFoundError('Privacy request');
      const decision = closeDecision(current.status, closing.action);
      if (!decision.ok) {
        throw new ConflictError('request_closed', `This privacy request cannot be closed: ${decision.reason}`);
      }
      const result = closing.action === 'reject' ? { reason: closing.reason.trim() } : null;
      return this.requests.close(m, tenant.id, id, decision.status, result);
    });
    await this.audit.append({
      actor: apiKeyActor(tenant),
      action: `privacy-request.${row.status}`,
      tenantId: tenant.id,
      details: { requestId: row.id, type: row.type },
    });
    return toPrivacyRequestDto(row);
  }
}
