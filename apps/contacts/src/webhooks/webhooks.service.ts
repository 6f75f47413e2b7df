import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { ConflictError, InvalidInputError, NotFoundError } from '@missive/http';
import { tenantDb, type TenantContext } from '@missive/tenancy';
import { TenantKeys } from '@missive/tenant-keys';
import { isUuid } from '@missive/tokens';
import { eventsProblem, normaliseEvents, type WebhookEvent } from './webhook-events.rules';
import { newWebhookSecret } from './webhook-signing';
import { checkTarget } from './webhook-target.rules';
import { MAX_ENDPOINTS_PER_TENANT, WebhooksRepository, type WebhookEndpointRow } from './webhooks.repository';

type Tenant = Pick<TenantContext, 'id' | 'region'>;

/**
 * The tenant's webhook endpoints (R-X7). The secret is made here, sealed with the tenant's data key before it is
 * stored, and shown once, in the answer to the creation; listing never shows it.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly keys: TenantKeys,
    private readonly endpoints: WebhooksRepository,
  ) {}

  async create(tenant: Tenant, url: string, events: string[]): Promise<{ row: WebhookEndpointRow; secret: string }> {
    const problem = eventsProblem(events);
    if (problem) throw new InvalidInputError('Invalid webhook', [{ field: 'events', reason: problem }]);
    const target = checkTarget(url, { production: this.config.production });
    if (!target.ok) throw new InvalidInputError('Invalid webhook', [{ field: 'url', reason: target.reason }]);
    const secret = newWebhookSecret();
    const sealed = await this.keys.seal(tenant.region, tenant.id, secret);
    const row = await tenantDb(this.databases, tenant, (m) =>
      this.endpoints.insert(m, {
        tenant_id: tenant.id,
        id: randomUUID(),
        url: target.url.toString(),
        events: normaliseEvents(events as WebhookEvent[]),
        secret_sealed: sealed,
      }),
    );
    if (!row) {
      throw new ConflictError(
        'too_many_webhooks',
        `A tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`,
      );
    }
    return { row, secret };
  }

  async list(tenant: Tenant): Promise<WebhookEndpointRow[]> {
    return tenantDb(this.databases, tenant, (m) => this.endpoints.list(m, tenant.id));
  }

  /** Another tenant's endpoint answers as one that does not exist (R-T1). Queued deliveries to it are dropped. */
  async remove(tenant: Tenant, id: string): Promise<void> {
    const removed =
      isUuid(id) && (await tenantDb(this.databases, tenant, (m) => this.endpoints.remove(m, tenant.id, id)));
    if (!removed) throw new NotFoundError('Webhook');
  }
}
