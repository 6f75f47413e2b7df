import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  CONTACT_COLUMNS,
  contactColumnPlaceholders,
  contactColumnValues,
  CONTACT_STATE_SQL,
  type ContactData,
  type ContactStateRow,
  onSuppressionListSql,
} from '@missive/contact-domain';
import { queryRows } from '@missive/database';

/** The changes a data-subject request makes to a contact row (R-D1); tenant id required, inside `withTenant`. */
@Injectable()
export class SubjectContactRepository {
  /**
   * Rectification: rewrites the contact's fields (already checked by the contact rules); null when nothing
   * differed. A corrected address that is on the suppression list — as an address or as the keyed hash an erasure
   * left (R-D2) — suppresses the contact, as a PATCH would.
   */
  async rectify(
    m: EntityManager,
    tenantId: string,
    id: string,
    contact: ContactData,
    addressHash: string,
  ): Promise<ContactStateRow | null> {
    const values = contactColumnPlaceholders(3);
    const rows = await queryRows<ContactStateRow>(
      m,
      `UPDATE contacts c SET (${CONTACT_COLUMNS.join(', ')}) = (${values}),
         status = CASE WHEN c.status = 'active' AND ${onSuppressionListSql('$1', '$3', '$16')}
           THEN 'suppressed' ELSE c.status END,
         updated_at = now()
       WHERE c.tenant_id = $1 AND c.id = $2
         AND (${CONTACT_COLUMNS.map((col) => `c.${col}`).join(', ')}) IS DISTINCT FROM (${values})
       RETURNING ${CONTACT_STATE_SQL}`,
      [tenantId, id, ...contactColumnValues(contact), addressHash],
    );
    return rows[0] ?? null;
  }

  /** Restriction: the contact is kept and never processed (the send gate skips `restricted`, R-S2). */
  async restrict(m: EntityManager, tenantId: string, id: string): Promise<ContactStateRow | null> {
    const rows = await queryRows<ContactStateRow>(
      m,
      `UPDATE contacts c SET status = 'restricted', updated_at = now()
       WHERE c.tenant_id = $1 AND c.id = $2 AND c.status <> 'restricted'
       RETURNING ${CONTACT_STATE_SQL}`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }
}
