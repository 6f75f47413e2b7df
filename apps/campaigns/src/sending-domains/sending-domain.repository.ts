import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@missive/database';
import type { SendingDomainStatus } from './sending-domain.rules';

export interface SendingDomainRow {
  tenant_id: string;
  domain: string;
  selector: string;
  /** Base64 SPKI DER, as the DKIM record's `p=` shows it (public: it is published). */
  public_key: string;
  /** The PEM private key sealed with the tenant's data key (R-S9: never in clear at rest). */
  private_key_sealed: string;
  status: SendingDomainStatus;
  verified_at: Date | null;
  created_at: Date;
}

/** Queries only. Every method runs in a tenant transaction (RLS) and names the tenant it reads or writes (R-T1). */
@Injectable()
export class SendingDomainRepository {
  /** Inserts the domain unless the tenant has it already; null then. */
  async insert(
    m: EntityManager,
    row: Pick<SendingDomainRow, 'tenant_id' | 'domain' | 'selector' | 'public_key' | 'private_key_sealed'>,
  ): Promise<SendingDomainRow | null> {
    const rows = await queryRows<SendingDomainRow>(
      m,
      `INSERT INTO sending_domains (tenant_id, domain, selector, public_key, private_key_sealed)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, domain) DO NOTHING RETURNING *`,
      [row.tenant_id, row.domain, row.selector, row.public_key, row.private_key_sealed],
    );
    return rows[0] ?? null;
  }

  async list(m: EntityManager, tenantId: string): Promise<SendingDomainRow[]> {
    return queryRows<SendingDomainRow>(m, 'SELECT * FROM sending_domains WHERE tenant_id = $1 ORDER BY domain', [
      tenantId,
    ]);
  }

  async find(m: EntityManager, tenantId: string, domain: string): Promise<SendingDomainRow | null> {
    const rows = await queryRows<SendingDomainRow>(
      m,
      'SELECT * FROM sending_domains WHERE tenant_id = $1 AND domain = $2',
      [tenantId, domain],
    );
    return rows[0] ?? null;
  }

  async findVerified(m: EntityManager, tenantId: string, domain: string): Promise<SendingDomainRow | null> {
    const rows = await queryRows<SendingDomainRow>(
      m,
      `SELECT * FROM sending_domains WHERE tenant_id = $1 AND domain = $2 AND status = 'verified'`,
      [tenantId, domain],
    );
    return rows[0] ?? null;
  }

  /** Verified keeps its first verified_at; back to pending clears it. */
  async setStatus(
    m: EntityManager,
    tenantId: string,
    domain: string,
    status: SendingDomainStatus,
  ): Promise<SendingDomainRow | null> {
    const rows = await queryRows<SendingDomainRow>(
      m,
      `UPDATE sending_domains SET status = $3,
         verified_at = CASE WHEN $3 = 'verified' THEN COALESCE(verified_at, now()) ELSE NULL END
       WHERE tenant_id = $1 AND domain = $2 RETURNING *`,
      [tenantId, domain, status],
    );
    return rows[0] ?? null;
  }

  async remove(m: EntityManager, tenantId: string, domain: string): Promise<boolean> {
    const rows = await queryRows<{ domain: string }>(
      m,
      'DELETE FROM sending_domains WHERE tenant_id = $1 AND domain = $2 RETURNING domain',
      [tenantId, domain],
    );
    return rows.length > 0;
  }
}
