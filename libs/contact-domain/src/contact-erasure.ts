import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CONTACT_ERASED, type ContactErasedV1, type Region } from '@missive/contracts';
import { appendToOutbox } from '@missive/kafka';
import { optOutSetKey, RedisClients } from '@missive/redis';
import { TenantKeys } from '@missive/tenant-keys';
import type { ContactStatus } from './contact.rules';
import { ErasureRepository } from './erasure.repository';
import { keepsSuppressionHash } from './erasure.rules';

/** The person to erase: the normalised address, and the tenant's contact with it (locked by the caller), if any. */
export interface ErasureSubject {
  email: string;
  contact: { id: string; status: ContactStatus } | null;
}

export interface ErasureOutcome {
  /** Rows deleted per table (ids and counts only, no personal data). */
  deleted: Record<string, number>;
  /** R-D2: whether a keyed hash of the address stays on the suppression list. */
  suppressionHashKept: boolean;
  /** Redis work that must follow the commit: the contact leaves the send gates' opt-out set. */
  afterCommit: () => Promise<void>;
}

/**
 * The one R-D1 erasure, for DELETE /v1/contacts/{id} and the `erasure` data-subject request alike, inside the
 * caller's tenant transaction: every regional row linked to the contact, its own key (crypto-shredding what events
 * carry of it), the address on the suppression list
 * (a keyed hash stays when the person had opted out, R-D2), earlier access answers, and `contact.erased` in the
 * outbox (R-X5) so every other store drops what it holds. The caller runs `afterCommit` once the transaction
 * committed.
 */
@Injectable()
export class ContactErasure {
  constructor(
    private readonly erasure: ErasureRepository,
    private readonly keys: TenantKeys,
    private readonly redis: RedisClients,
  ) {}

  async erase(
    m: EntityManager,
    tenant: { id: string; region: Region },
    subject: ErasureSubject,
  ): Promise<ErasureOutcome> {
    const { email, contact } = subject;
    const addressHash = await this.keys.addressHash(tenant.region, tenant.id, email);
    // R-D2: decided before anything is deleted, from every trace of an opt-out.
    const suppressionHashKept = keepsSuppressionHash({
      contactStatus: contact?.status ?? null,
      fullOptOuts: contact ? await this.erasure.fullOptOuts(m, tenant.id, contact.id) : 0,
      onSuppressionList: await this.erasure.onSuppressionList(m, tenant.id, email),
    });
    const deleted = contact ? await this.erasure.eraseContact(m, tenant.id, contact.id) : {};
    // R-D1: the contact's own key goes with the row, so its sealed fields in every topic are unreadable from commit.
    if (contact) {
      const keys = await this.keys.destroyContactKey(m, tenant.id, contact.id);
      if (keys > 0) deleted.contact_keys = keys;
    }
    if (await this.erasure.replaceSuppression(m, tenant.id, email, suppressionHashKept ? addressHash : null)) {
      deleted.suppressions = 1;
    }
    await this.erasure.forgetAccessResults(m, tenant.id, { contactId: contact?.id ?? null, addressHash });
    if (!contact) return { deleted, suppressionHashKept, afterCommit: async () => {} };
    const data: ContactErasedV1 = { contactId: contact.id };
    await appendToOutbox(m, [
      { type: CONTACT_ERASED, region: tenant.region, tenantId: tenant.id, key: contact.id, data },
    ]);
    return {
      deleted,
      suppressionHashKept,
      afterCommit: async () => {
        await this.redis.forRegion(tenant.region).srem(optOutSetKey(tenant.region, tenant.id), contact.id);
      },
    };
  }
}
