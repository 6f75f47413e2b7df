import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * R-C8: `campaign_opt_in_messages`, every contact a confirmation message went to, once ever. Queries only; tenant
 * transactions (R-T1).
 */
@Injectable()
export class OptInMessageRepository {
  /** Remembers the contact's message; false when one went to the contact before (nothing is written then). */
  async rememberFirst(m: EntityManager, tenantId: string, contactId: string, messageId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO campaign_opt_in_messages (tenant_id, contact_id, message_id) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, contact_id) DO NOTHING RETURNING contact_id`,
      [tenantId, contactId, messageId],
    );
    return rows.length > 0;
  }
}
