import { Controller } from '@nestjs/common';
import { PRIVACY_REQUEST_REFERRED, type PrivacyRequestReferredV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { isUuid } from '@missive/tokens';
import { PRIVACY_REQUEST_TYPES, requestDeadlines } from './privacy-request.rules';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { enterTenant } from '@missive/database';

const TYPES = new Set<string>(PRIVACY_REQUEST_TYPES);

/**
 * R-D3: a request support received directly is recorded here as `pending` with `source: 'support'` and its due
 * dates from when support got it (R-D1); the tenant answers it (support never does). Idempotent by request id.
 */
@Controller()
export class PrivacyRequestReferredConsumer {
  constructor(private readonly requests: PrivacyRequestsRepository) {}

  @ConsumeEvents('privacy', PRIVACY_REQUEST_REFERRED)
  async referred(batch: EventBatch<PrivacyRequestReferredV1>): Promise<void> {
    const m = batch.manager!;
    for (const event of batch.events) {
      const { requestId, type, receivedAt } = event.data ?? ({} as PrivacyRequestReferredV1);
      const received = new Date(receivedAt);
      if (!event.tenantId || !isUuid(requestId) || !TYPES.has(type) || Number.isNaN(received.getTime())) continue;
      await enterTenant(m, event.tenantId);
      await this.requests.insert(m, event.tenantId, {
        id: requestId,
        type,
        source: 'support',
        status: 'pending',
        contactId: null,
        addressHash: null,
        receivedAt: received,
        deadlines: requestDeadlines(batch.region, received),
        result: null,
      });
    }
  }
}
