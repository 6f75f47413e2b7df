import { Injectable } from '@nestjs/common';
import { confirmationUserAgent, truncateIp } from '@missive/contact-domain';
import { OPT_IN_CONFIRMED, type OptInConfirmationPersonalV1, type OptInConfirmedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';
import { RecipientLimiter, type RecipientCheck } from '@missive/redis';
import { TenantKeys } from '@missive/tenant-keys';
import { TenantStates } from '@missive/tenancy';
import { expectKind, LinkTokenSigner, type LinkTokenClaims } from '@missive/tokens';

export type ConfirmClaims = LinkTokenClaims & { kind: 'confirm' };

/**
 * R-C8: records a double opt-in confirmation made on `/c/{token}`. The first one for a contact is stored here
 * (`unsubscribe_opt_in_confirmations`) and published as `contact.opt-in-confirmed` in the same transaction, with the
 * truncated IP and the user agent sealed with the contact's key; the contacts service, which owns the contact and its
 * consent history, makes the contact active. A second confirmation stores and publishes nothing.
 */
@Injectable()
export class OptInConfirmationService {
  constructor(
    private readonly signer: LinkTokenSigner,
    private readonly databases: Databases,
    private readonly keys: TenantKeys,
    private readonly states: TenantStates,
    private readonly limiter: RecipientLimiter,
  ) {}

  /** A valid confirmation token's claims, or null: forged, truncated, retired key, or another kind (an unsubscribe token). */
  verify(token: string): ConfirmClaims | null {
    return expectKind(this.signer.verify(token), 'confirm');
  }

  /** R-X6: the same per-IP and per-token limits as the unsubscribe page; a purged tenant's token counts for its IP only. */
  limit(
    claims: ConfirmClaims | null,
    ip: string | undefined,
    route: 'opt-in-page' | 'opt-in-confirm',
  ): Promise<RecipientCheck> {
    const live = claims && this.states.cached(claims.tenantId)?.status !== 'purged';
    return this.limiter.check(
      route,
      ip,
      live
        ? { region: claims.region, tenantId: claims.tenantId, route, campaignId: null, contactId: claims.contactId }
        : null,
    );
  }

  /** The sender's display name as cached, without waiting on the database; null when not cached. */
  cachedTenantName(tenantId: string): string | null {
    return this.states.cached(tenantId)?.name ?? null;
  }

  /**
   * What the page shows (R-U6): the contact's own locale from the unsubscribe projection (`unsubscribe_contacts`, null
   * when it has none or the projection does not know the contact yet) and the sender's display name (null if unknown).
   */
  async pageFacts(claims: ConfirmClaims): Promise<{ locale: string | null; tenantName: string | null }> {
    const rows: { locale: string | null }[] = await this.databases.withTenant(claims.region, claims.tenantId, (m) =>
      m.query('SELECT locale FROM unsubscribe_contacts WHERE tenant_id = $1 AND contact_id = $2', [
        claims.tenantId,
        claims.contactId,
      ]),
    );
    return { locale: rows[0]?.locale ?? null, tenantName: (await this.states.get(claims.tenantId))?.name ?? null };
  }

  /** Stores the confirmation once; true when this call stored it, false when it was stored before (or the tenant is gone). */
  async confirm(claims: ConfirmClaims, request: { ip: string | undefined; userAgent: unknown }): Promise<boolean> {
    // R-P6: a purged tenant's old links get their usual answer, and nothing is stored again.
    if ((await this.states.purgedAmong([claims.tenantId])).size > 0) return false;
    const personal: OptInConfirmationPersonalV1 = {
      ipTruncated: request.ip ? truncateIp(request.ip) : null,
      userAgent: confirmationUserAgent(request.userAgent),
    };
    const sealed = await this.keys.sealForContact(claims.region, claims.tenantId, claims.contactId, personal);
    return this.databases.withTenant(claims.region, claims.tenantId, async (m) => {
      const rows: { confirmed_at: Date }[] = await m.query(
        `INSERT INTO unsubscribe_opt_in_confirmations (tenant_id, contact_id) VALUES ($1, $2)
         ON CONFLICT (tenant_id, contact_id) DO NOTHING RETURNING confirmed_at`,
        [claims.tenantId, claims.contactId],
      );
      if (rows.length === 0) return false;
      const data: OptInConfirmedV1 = {
        contactId: claims.contactId,
        confirmedAt: new Date(rows[0].confirmed_at).toISOString(),
        personal: sealed,
      };
      await appendToOutbox(m, [
        {
          type: OPT_IN_CONFIRMED,
          version: 1,
          region: claims.region,
          tenantId: claims.tenantId,
          key: claims.contactId,
          data,
        },
      ]);
      return true;
    });
  }
}
