import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { audienceCondition, type AudienceSpec } from './audience-filter.rules';

/**
 * The one query of an audience (R-C9), used twice: counted by POST /v1/audiences/preview, and inserted into the
 * delivery ledger when a campaign starts sending (DeliveryLedgerRepository.snapshot), so a preview counts exactly whom the
 * send would take. Runs in a tenant transaction (RLS) and names the tenant besides.
 */
@Injectable()
export class AudienceRepository {
  /** Cancels the transaction's later statements that run longer than `timeoutMs` (PostgreSQL's query_canceled). */
  async limitStatementTime(m: EntityManager, timeoutMs: number): Promise<void> {
    await m.query(`SELECT set_config('statement_timeout', $1, true)`, [`${timeoutMs}ms`]);
  }

  /** How many of the tenant's contacts the audience holds now. */
  async count(m: EntityManager, tenantId: string, audience: AudienceSpec): Promise<number> {
    const params: unknown[] = [];
    const where = audienceCondition(tenantId, audience, params);
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM campaign_contacts c WHERE ${where}`,
      params,
    );
    return rows[0].n;
  }

  /** Adds every contact of the audience to the campaign's ledger as pending, once (re-running it adds nothing). */
  async snapshotInto(m: EntityManager, tenantId: string, campaignId: string, audience: AudienceSpec): Promise<void> {
    const params: unknown[] = [campaignId];
    const where = audienceCondition(tenantId, audience, params);
    await m.query(
      `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state)
       SELECT c.tenant_id, $1, c.contact_id, 'pending' FROM campaign_contacts c WHERE ${where}
       ON CONFLICT (campaign_id, contact_id) DO NOTHING`,
      params,
    );
  }
}
