import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PRIVACY_REQUEST_REFERRED, type PrivacyRequestReferredV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { ConflictError, InvalidInputError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { AuditLog, effectiveStatus } from '@missive/tenancy';
import { NoticesRepository } from '../notices/notices.repository';
import { justificationOf, type StaffCall } from '../staff/staff-call';
import { actorOf } from '../staff/staff.rules';
import { TenantAccess } from '../tenants/tenant-access';
import type { CreatePrivacyReferralDto, PrivacyReferralRecordedDto } from './dto/privacy-referral.dto';
import { receivedAtProblem, referralNoticeSummary } from './privacy-referral.rules';

/**
 * R-D3: support records a data-subject request it received directly and refers it to the tenant: in the tenant's
 * region, one transaction writes the notice the tenant reads at once and the `privacy.request-referred` event from
 * which the privacy service records the request (`source: 'support'`, its due dates). What the person wrote stays
 * in the region (R-T2); the global audit log keeps ids only (R-A3).
 */
@Injectable()
export class ReferralsService {
  constructor(
    private readonly databases: Databases,
    private readonly access: TenantAccess,
    private readonly audit: AuditLog,
  ) {}

  async refer(call: StaffCall, tenantId: string, dto: CreatePrivacyReferralDto): Promise<PrivacyReferralRecordedDto> {
    call.tenantId = tenantId;
    const receivedAt = new Date(dto.receivedAt);
    const problem = receivedAtProblem(receivedAt, new Date());
    if (problem) throw new InvalidInputError('Invalid input: receivedAt', [{ field: 'receivedAt', reason: problem }]);
    const tenant = await this.access.load(call, tenantId, 'write');
    if (effectiveStatus(tenant, new Date()) === 'purged') {
      throw new ConflictError('tenant_purged', 'This tenant has been purged');
    }

    const requestId = randomUUID();
    const noticeId = randomUUID();
    await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
      await NoticesRepository.insert(m, {
        id: noticeId,
        tenantId: tenant.id,
        kind: 'privacy-request-referral',
        summary: referralNoticeSummary({ requestId, type: dto.type, receivedAt, summary: dto.summary }),
      });
      const data: PrivacyRequestReferredV1 = { requestId, type: dto.type, receivedAt: receivedAt.toISOString() };
      await appendToOutbox(m, [{ type: PRIVACY_REQUEST_REFERRED, region: tenant.region, tenantId: tenant.id, data }]);
    });
    await this.audit.append({
      actor: actorOf(call.staff),
      action: 'privacy-request.referred',
      tenantId: tenant.id,
      crossRegion: call.crossRegion,
      details: { requestId, noticeId, type: dto.type, ...justificationOf(call) },
    });
    return { id: requestId, noticeId };
  }
}
