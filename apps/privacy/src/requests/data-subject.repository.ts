import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CONTACT_STATE_SQL, type StoredContact } from '@missive/contact-domain';
import { toApiRecord } from '../records/record-shape';

/** The contact with that address, as the rules and `contact.changed` need it, plus its timestamps. */
export interface SubjectContact extends StoredContact {
  created_at: Date;
  updated_at: Date;
}

/** What Missive holds on one person (R-D1 access and portability): one machine-readable JSON object. */
export interface AccessRecord {
  contact: Record<string, unknown> | null;
  lists: string[];
  tags: string[];
  consents: Record<string, unknown>[];
  suppressions: Record<string, unknown>[];
  sends: Record<string, unknown>[];
  engagementEvents: Record<string, unknown>[];
  engagement: Record<string, unknown>[];
  optOuts: Record<string, unknown>[];
}

/**
 * Reads what the tenant's regional database holds on one data subject, across the services' tables (contacts,
 * consents, suppressions, campaign deliveries, tracking, opt-outs). Every method takes the tenant id and runs
 * inside `withTenant` (R-T1).
 */
@Injectable()
export class DataSubjectRepository {
  async findContact(m: EntityManager, tenantId: string, email: string, lock = false): Promise<SubjectContact | null> {
    const rows: SubjectContact[] = await m.query(
      `SELECT ${CONTACT_STATE_SQL}, c.consent, c.created_at, c.updated_at
       FROM contacts c WHERE c.tenant_id = $1 AND c.email = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, email],
    );
    return rows[0] ?? null;
  }

  async isSuppressed(m: EntityManager, tenantId: string, email: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM suppressions WHERE tenant_id = $1 AND email = $2`, [
      tenantId,
      email,
    ]);
    return rows.length > 0;
  }

  /** R-D1: everything held on the person, events included (sends, opens and clicks, opt-outs). */
  async accessRecord(
    m: EntityManager,
    tenantId: string,
    email: string,
    contact: SubjectContact | null,
  ): Promise<AccessRecord> {
    const rows = async (sql: string, params: unknown[]) =>
      ((await m.query(sql, params)) as Record<string, unknown>[]).map(toApiRecord);
    const suppressions = await rows(
      `SELECT email, reason, created_at FROM suppressions WHERE tenant_id = $1 AND email = $2`,
      [tenantId, email],
    );
    if (!contact) {
      return {
        contact: null,
        lists: [],
        tags: [],
        consents: [],
        suppressions,
        sends: [],
        engagementEvents: [],
        engagement: [],
        optOuts: [],
      };
    }
    const byContact = [tenantId, contact.id];
    return {
      contact: toApiRecord({ ...contact }),
      lists: contact.lists,
      tags: contact.tags,
      consents: await rows(
        `SELECT kind, given_at, source, ip, text, explicit, recorded_at FROM consents
         WHERE tenant_id = $1 AND contact_id = $2 ORDER BY recorded_at, id`,
        byContact,
      ),
      suppressions,
      sends: await rows(
        `SELECT d.campaign_id, c.name AS campaign_name, c.subject, d.state, d.reason, d.message_id, d.attempts, d.updated_at
         FROM campaign_deliveries d LEFT JOIN campaigns c ON c.tenant_id = d.tenant_id AND c.id = d.campaign_id
         WHERE d.tenant_id = $1 AND d.contact_id = $2 ORDER BY d.updated_at, d.campaign_id`,
        byContact,
      ),
      engagementEvents: await rows(
        `SELECT hit_id, campaign_id, kind, link_index, at, ip_truncated, user_agent, machine FROM tracking_hits
         WHERE tenant_id = $1 AND contact_id = $2 ORDER BY at, hit_id`,
        byContact,
      ),
      engagement: await rows(
        `SELECT campaign_id, opens, machine_opens, clicks, machine_clicks, first_open_at, first_click_at, last_hit_at
         FROM tracking_contact_engagement WHERE tenant_id = $1 AND contact_id = $2 ORDER BY campaign_id`,
        byContact,
      ),
      optOuts: await rows(
        `SELECT campaign_id, lists, source, created_at FROM unsubscribe_opt_outs
         WHERE tenant_id = $1 AND contact_id = $2 ORDER BY created_at, id`,
        byContact,
      ),
    };
  }
}
