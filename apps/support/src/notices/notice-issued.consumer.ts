import { Controller } from '@nestjs/common';
import { TENANT_NOTICE_ISSUED, type TenantNoticeIssuedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { isUuid } from '@missive/tokens';
import { NoticesRepository } from './notices.repository';
import { enterTenant } from '@missive/database';

/**
 * R-A2, R-T2: the tenant's region writes the notice of an incident support recorded, wherever support runs, and of
 * a campaign that paused itself on its complaint rate (R-S8). The inbox makes a redelivered event a no-op; a
 * malformed one is skipped.
 */
@Controller()
export class NoticeIssuedConsumer {
  @ConsumeEvents('support-notices', TENANT_NOTICE_ISSUED)
  async issued(batch: EventBatch<TenantNoticeIssuedV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      const { noticeId, kind, summary } = event.data ?? ({} as TenantNoticeIssuedV1);
      if (
        !event.tenantId ||
        !isUuid(noticeId) ||
        (kind !== 'incident' && kind !== 'complaint-rate') ||
        typeof summary !== 'string'
      )
        continue;
      await enterTenant(m, event.tenantId);
      await NoticesRepository.insert(m, { id: noticeId, tenantId: event.tenantId, kind, summary });
    }
  }
}
