import { Controller } from '@nestjs/common';
import { TENANT_API_KEY_REVOKED, TENANT_CHANGED, type ApiKeyRevokedV1, type TenantChangedV1 } from '@missive/contracts';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import { TenantKeys } from '@missive/tenant-keys';
import { TenantDirectory } from './tenant-directory';
import { TenantStates } from './tenant-states';

/**
 * Keeps every instance's key cache honest (R-X1): each instance gets every revocation and tenant change (its own
 * consumer group) and evicts at once, so a revoked key stops working everywhere within about a second. New
 * instances start with an empty cache, so they skip history.
 */
@Controller()
export class TenantCacheConsumer {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly states: TenantStates,
    private readonly keys: TenantKeys,
  ) {}

  @ConsumeEvents('tenancy-cache', TENANT_API_KEY_REVOKED, { inbox: false, broadcast: true, fromBeginning: false })
  keyRevoked(batch: EventBatch<ApiKeyRevokedV1>): void {
    for (const event of batch.events) if (event.data?.apiKeyId) this.directory.evictKey(event.data.apiKeyId);
  }

  @ConsumeEvents('tenancy-cache', TENANT_CHANGED, { inbox: false, broadcast: true, fromBeginning: false })
  tenantChanged(batch: EventBatch<TenantChangedV1>): void {
    for (const event of batch.events) {
      if (!event.data?.tenantId) continue;
      this.directory.evictTenant(event.data.tenantId);
      this.states.evict(event.data.tenantId);
      // A purge is final: cache it now, so the link host drops the next hit without waiting for a miss (R-P6).
      if (event.data.status === 'purged') void this.states.get(event.data.tenantId).catch(() => undefined);
      // Purged: its data key was destroyed; no instance keeps the unwrapped copy a minute longer (R-P2).
      if (event.data.status === 'purged') this.keys.forget(event.data.tenantId);
    }
  }
}
