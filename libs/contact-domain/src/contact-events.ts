import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CONTACT_CHANGED, type ContactChangedV2, type ContactPersonalFieldsV1, type Region } from '@missive/contracts';
import { appendToOutbox, type OutgoingEvent } from '@missive/kafka';
import { sealForContact, TenantKeys } from '@missive/tenant-keys';
import type { ContactStatus, LawfulBasis } from './contact.rules';

/** What a `contact.changed` v2 event is built from: a contacts row (API, import or consumer alike). */
export interface ContactStateRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  locale: string | null;
  region: 'NA' | 'EEA';
  lawful_basis: LawfulBasis;
  tracking_consent: boolean;
  birth_date: string | null;
  status: ContactStatus;
  attributes: Record<string, unknown>;
  lists: string[];
  tags: string[];
  consent_withdrawn: boolean;
}

/**
 * R-C2: whether the contact's latest consent record is a withdrawal. The history trigger writes a grant whenever
 * a contact gets a consent record and a withdrawal whenever it loses it, so a contact without one now whose
 * history holds a grant or withdrawal last withdrew (a double opt-in confirmation, R-C8, is neither). Holds in a
 * statement's own RETURNING too (before its trigger has run).
 */
export const CONSENT_WITHDRAWN_SQL = `(c.consent IS NULL AND EXISTS
  (SELECT 1 FROM consents h WHERE h.tenant_id = c.tenant_id AND h.contact_id = c.id AND h.kind <> 'confirmation')) AS consent_withdrawn`;

/** The columns of a ContactStateRow, for a RETURNING or SELECT on `contacts c`. */
export const CONTACT_STATE_SQL = `c.id, c.email, c.first_name, c.last_name, c.phone, c.locale, c.region, c.lawful_basis,
  c.tracking_consent, c.birth_date::text AS birth_date, c.status, c.attributes, c.lists, c.tags, ${CONSENT_WITHDRAWN_SQL}`;

/**
 * One `contact.changed` v2 event (R-X5): the send gate's inputs in clear, the personal fields sealed with the
 * contact's own key (R-T2, R-D1: erasure destroys it). Pure: the keys are read once by the caller, so a batch of
 * 10,000 costs one query.
 */
export function contactChangedEvent(
  contactKey: Buffer,
  tenant: { id: string; region: Region },
  row: ContactStateRow,
): OutgoingEvent<ContactChangedV2> {
  const personal: ContactPersonalFieldsV1 = {
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    locale: row.locale,
    birthDate: row.birth_date,
    attributes: row.attributes,
  };
  const data: ContactChangedV2 = {
    contactId: row.id,
    status: row.status,
    region: row.region,
    lawfulBasis: row.lawful_basis,
    consentWithdrawn: row.consent_withdrawn,
    objected: false, // no objection flag is kept yet
    trackingConsent: row.tracking_consent,
    lists: row.lists,
    tags: row.tags,
    personal: sealForContact(contactKey, tenant.id, row.id, personal),
  };
  return { type: CONTACT_CHANGED, version: 2, region: tenant.region, tenantId: tenant.id, key: row.id, data };
}

/** Publishes `contact.changed` v2, one event per changed contact, in the caller's transaction (R-X5). */
@Injectable()
export class ContactEvents {
  constructor(private readonly keys: TenantKeys) {}

  /** The tenant's data key (created on first use). */
  async dataKey(tenant: { id: string; region: Region }): Promise<Buffer> {
    const key = await this.keys.dataKey(tenant.region, tenant.id);
    if (!key) throw new Error(`tenant ${tenant.id} has no data key (purged)`);
    return key;
  }

  /**
   * The contacts' own keys (R-D1), created in the caller's tenant transaction for those that have none, so each key
   * commits with the first event sealed with it.
   */
  contactKeys(
    m: EntityManager,
    tenant: { id: string; region: Region },
    contactIds: string[],
  ): Promise<Map<string, Buffer>> {
    return this.keys.contactKeysForWrite(m, tenant, contactIds);
  }

  async changed(m: EntityManager, tenant: { id: string; region: Region }, rows: ContactStateRow[]): Promise<void> {
    if (rows.length === 0) return;
    const keys = await this.contactKeys(
      m,
      tenant,
      rows.map((row) => row.id),
    );
    await appendToOutbox(
      m,
      rows.map((row) => contactChangedEvent(keys.get(row.id.toLowerCase())!, tenant, row)),
    );
  }
}
