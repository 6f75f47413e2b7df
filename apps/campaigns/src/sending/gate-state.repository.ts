import { Injectable } from '@nestjs/common';
import type { Region } from '@missive/contracts';
import { optOutSetKey, RedisClients } from '@missive/redis';
import { TenantStates } from '@missive/tenancy';
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

/**
 * What the send gate reads at the moment of sending (R-S2) besides the projection row the claim returns: the
 * opt-out set the unsubscribe service writes before its 200, and the tenant's status in the directory (through
 * the cached tenant states: a termination stops sending within about a second, R-P1).
 */
@Injectable()
export class GateStateRepository {
  constructor(
    private readonly redis: RedisClients,
    private readonly states: TenantStates,
  ) {}

  /** The opt-out written by the unsubscribe service before its 200, seen before the event arrives (R-U2). */
  async optedOut(region: Region, tenantId: string, contactId: string): Promise<boolean> {
    return (await this.redis.forRegion(region).sismember(optOutSetKey(region, tenantId), contactId)) === 1;
  }

  /** A tenant the directory no longer has counts as purged: nothing is sent for it. */
  async tenant(tenantId: string): Promise<GateTenant> {
    const state = await this.states.get(tenantId);
    return state
      ? { status: state.status, terminatedAt: state.terminatedAt }
      : { status: 'purged', terminatedAt: null };
  }
}
