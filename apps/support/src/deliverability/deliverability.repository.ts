import type { EntityManager } from 'typeorm';

export interface DeliverabilityCounts {
  delivered: number;
  bounced: number;
  complained: number;
  bounceRate: number;
  complaintRate: number;
}

/**
 * Reads the campaigns service's ledger and feedback tables in the tenant's regional database through
 * `tenant_deliverability_7d` (the migration ComplaintGuard1765450000011), the same figures the campaigns service's
 * `missive_tenant_*_rate_7d` gauges show: support never imports the campaigns app, and the function is the one
 * place the window and the rates are defined. The manager is a `withTenant` transaction's (R-T1).
 */
export const DeliverabilityRepository = {
  async sevenDays(manager: EntityManager, tenantId: string, at: Date): Promise<DeliverabilityCounts> {
    const [row]: {
      delivered: string;
      bounced: string;
      complained: string;
      bounce_rate: number;
      complaint_rate: number;
    }[] = await manager.query(
      `SELECT delivered, bounced, complained, bounce_rate, complaint_rate
         FROM tenant_deliverability_7d(ARRAY[$1::uuid], $2)`,
      [tenantId, at],
    );
    // A tenant that sent nothing in the window has no row (found by the route fuzzer: a 500).
    if (!row) return { delivered: 0, bounced: 0, complained: 0, bounceRate: 0, complaintRate: 0 };
    return {
      delivered: Number(row.delivered),
      bounced: Number(row.bounced),
      complained: Number(row.complained),
      bounceRate: row.bounce_rate,
      complaintRate: row.complaint_rate,
    };
  },
};
