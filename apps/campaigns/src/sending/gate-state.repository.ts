import type { Databases } from '@missive/database';
import type { Region } from '@missive/contracts';
import { optOutSetKey, type RedisClients } from '@missive/redis';
import type { GateContact, GateTenant } from './send-gate.rules';

/** A recipient's row of the campaigns service's contact projection: what the gate and the templates need. */
export interface RecipientRow {
  contact_id: string;
  email: string;
  region: 'NA' | 'EEA';
  lawful_basis: GateContact['lawfulBasis'];
  status: GateContact['status'];
  consent_withdrawn: boolean;
  objected: boolean;
  tracking_consent: boolean;
  birth_date: Date | null;
  variables: Record<string, unknown>;
}

export function gateContact(row: RecipientRow): GateContact {
  return {
    status: row.status,
    region: row.region,
    lawfulBasis: row.lawful_basis,
    consentWithdrawn: row.consent_withdrawn,
    objected: row.objected,
    birthDate: row.birth_date ? new Date(row.birth_date) : null,
  };
}

/** A tenant's status is read fresh at most this often per worker; termination stops sending within it (R-P1). */
const TENANT_TTL_MS = 1000;

/**
 * What the send gate reads at the moment of sending (R-S2) besides the projection row the claim returns: the
 * opt-out set the unsubscribe service writes before its 200, and the tenant's status in the directory.
 */
export class GateState {
  private readonly tenants = new Map<string, { state: GateTenant; until: number }>();

  constructor(
    private readonly databases: Databases,
    private readonly redis: RedisClients,
  ) {}

  /** The opt-out written by the unsubscribe service before its 200, seen before the event arrives (R-U2). */
  async optedOut(region: Region, tenantId: string, contactId: string): Promise<boolean> {
    return (await this.redis.forRegion(region).sismember(optOutSetKey(region, tenantId), contactId)) === 1;
  }

  async tenant(tenantId: string): Promise<GateTenant> {
    const cached = this.tenants.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.state;
    const rows: { status: GateTenant['status']; terminated_at: Date | null }[] = await this.databases.global.query(
      'SELECT status, terminated_at FROM tenants WHERE id = $1',
      [tenantId],
    );
    const state: GateTenant = rows[0]
      ? { status: rows[0].status, terminatedAt: rows[0].terminated_at }
      : { status: 'purged', terminatedAt: null };
    this.tenants.set(tenantId, { state, until: Date.now() + TENANT_TTL_MS });
    return state;
  }
}
