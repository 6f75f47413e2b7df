import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ContactStateV2 } from '@missive/contracts';

/** One contact's state as the projection stores it, from a contact event and its opened personal fields. */
export type ProjectedContact = Pick<
  ContactStateV2,
  | 'contactId'
  | 'region'
  | 'lawfulBasis'
  | 'status'
  | 'consentWithdrawn'
  | 'objected'
  | 'trackingConsent'
  | 'lists'
  | 'tags'
> & {
  email: string;
  birthDate: string | null;
  variables: Record<string, unknown>;
  occurredAt: string;
};

/**
 * The campaigns service's own view of contacts (`campaign_contacts`), written from contact and unsubscribe events.
 * Queries only; tenant transactions (R-T1).
 */
@Injectable()
export class ContactProjectionRepository {
  /**
   * One statement per tenant and batch; created_at is the first time the projection heard of the contact (its
   * creation publishes the first event; R-C9's createdAt). The newest state wins (an import's v3 or v4 and a
   * contact's v2 events travel on different partitions, so by occurredAt, then by position).
   */
  async upsertNewest(m: EntityManager, tenantId: string, contacts: ProjectedContact[]): Promise<void> {
    await m.query(
      `INSERT INTO campaign_contacts (tenant_id, contact_id, email, region, lawful_basis, status, consent_withdrawn, objected,
           tracking_consent, birth_date, lists, tags, variables, updated_at, created_at)
         SELECT DISTINCT ON (r->>'contactId') $1::uuid, (r->>'contactId')::uuid, r->>'email', r->>'region', r->>'lawfulBasis', r->>'status',
           (r->>'consentWithdrawn')::boolean, (r->>'objected')::boolean, (r->>'trackingConsent')::boolean, (r->>'birthDate')::date,
           ARRAY(SELECT jsonb_array_elements_text(r->'lists')), ARRAY(SELECT jsonb_array_elements_text(r->'tags')), r->'variables',
           (r->>'occurredAt')::timestamptz, (r->>'occurredAt')::timestamptz
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(r, n)
         ORDER BY r->>'contactId', (r->>'occurredAt')::timestamptz DESC, n DESC
         ON CONFLICT (tenant_id, contact_id) DO UPDATE SET email = EXCLUDED.email, region = EXCLUDED.region,
           lawful_basis = EXCLUDED.lawful_basis, status = EXCLUDED.status, consent_withdrawn = EXCLUDED.consent_withdrawn,
           objected = EXCLUDED.objected, tracking_consent = EXCLUDED.tracking_consent, birth_date = EXCLUDED.birth_date,
           lists = EXCLUDED.lists, tags = EXCLUDED.tags, variables = EXCLUDED.variables, updated_at = EXCLUDED.updated_at,
           created_at = LEAST(campaign_contacts.created_at, EXCLUDED.created_at)
         WHERE campaign_contacts.updated_at <= EXCLUDED.updated_at`,
      [tenantId, JSON.stringify(contacts)],
    );
  }

  /** An erased contact leaves the projection (R-D1). */
  async remove(m: EntityManager, tenantId: string, contactId: string): Promise<void> {
    await m.query('DELETE FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2', [tenantId, contactId]);
  }

  /** R-U2: contacts who opted out of everything, applied at once so a campaign already sending honours it. */
  async markUnsubscribed(m: EntityManager, tenantId: string, contactIds: string[]): Promise<void> {
    await m.query(
      `UPDATE campaign_contacts SET status = 'unsubscribed' WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[])`,
      [tenantId, contactIds],
    );
  }

  /** R-U2: the lists a contact left. */
  async leaveLists(m: EntityManager, tenantId: string, contactId: string, lists: string[]): Promise<void> {
    await m.query(
      `UPDATE campaign_contacts SET lists = ARRAY(SELECT unnest(lists) EXCEPT SELECT unnest($3::text[])) WHERE tenant_id = $1 AND contact_id = $2`,
      [tenantId, contactId, lists],
    );
  }
}
