import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /v1/contacts lists a tenant's contacts newest first, a keyset page at a time on (created_at, id): this index
 * makes each page an index range read of `limit` rows, however many contacts the tenant has and however deep the
 * page. (Campaigns already have idx_campaigns_tenant_created; a tenant has few enough that the id tiebreak is cheap.)
 */
export class ContactsListingIndex1765440000010 implements MigrationInterface {
  name = 'ContactsListingIndex1765440000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX idx_contacts_tenant_created ON contacts (tenant_id, created_at, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX idx_contacts_tenant_created');
  }
}
