import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@missive/database';

export interface WebhookEndpointRow {
  tenant_id: string;
  id: string;
  url: string;
  events: string[];
  /** The `whsec_…` secret sealed with the tenant's data key (R-X7: a dump alone cannot sign). */
  secret_sealed: string;
  created_at: Date;
}

/** Tenants may not register more endpoints than this. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

/** Queries only. Every method runs in a tenant transaction (RLS) and names the tenant it reads or writes (R-T1). */
@Injectable()
export class WebhooksRepository {
  /** Inserts the endpoint unless the tenant has MAX_ENDPOINTS_PER_TENANT already (null then). */
  async insert(
    m: EntityManager,
    row: Pick<WebhookEndpointRow, 'tenant_id' | 'id' | 'url' | 'events' | 'secret_sealed'>,
  ): Promise<WebhookEndpointRow | null> {
    // Serialises a tenant's creations, so the cap holds under concurrent requests.
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`webhook_endpoints:${row.tenant_id}`]);
    const rows = await queryRows<WebhookEndpointRow>(
      m,
      `INSERT INTO webhook_endpoints (tenant_id, id, url, events, secret_sealed)
       SELECT $1, $2, $3, $4, $5
       WHERE (SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $1) < ${MAX_ENDPOINTS_PER_TENANT}
       RETURNING *`,
      [row.tenant_id, row.id, row.url, row.events, row.secret_sealed],
    );
    return rows[0] ?? null;
  }

  async list(m: EntityManager, tenantId: string): Promise<WebhookEndpointRow[]> {
    return queryRows<WebhookEndpointRow>(
      m,
      'SELECT * FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id',
      [tenantId],
    );
  }

  async find(m: EntityManager, tenantId: string, id: string): Promise<WebhookEndpointRow | null> {
    const rows = await queryRows<WebhookEndpointRow>(
      m,
      'SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  /** The tenant's endpoints subscribed to this event. */
  async subscribed(m: EntityManager, tenantId: string, event: string): Promise<WebhookEndpointRow[]> {
    return queryRows<WebhookEndpointRow>(
      m,
      'SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND $2 = ANY(events) ORDER BY id',
      [tenantId, event],
    );
  }

  async remove(m: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      m,
      'DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 RETURNING id',
      [tenantId, id],
    );
    return rows.length > 0;
  }
}
