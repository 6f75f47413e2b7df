import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';

/**
 * R-D3: what the `missive_privacy_requests_overdue` gauge reads at scrape time — requests still pending past their
 * due date (`isOverdue` in apps/privacy/src/requests/privacy-request.rules.ts), counted over the given tenants.
 * `privacy_requests` stays under row-level security for the application role (R-T1): the function runs with the
 * caller's rights and looks at one tenant at a time, setting `app.tenant_id` as `withTenant` does, so it can only
 * count, never read across tenants. The partial index keeps each tenant's count to an index range scan.
 */
export class PrivacyRequestsOverdue1765310000000 implements MigrationInterface {
  name = 'PrivacyRequestsOverdue1765310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_privacy_requests_pending_due ON privacy_requests (tenant_id, due_at)
      WHERE status = 'pending'`);
    await q.query(`CREATE FUNCTION count_overdue_privacy_requests(tenant_ids uuid[], at timestamptz)
      RETURNS bigint LANGUAGE plpgsql SECURITY INVOKER AS $$
      DECLARE
        tenant uuid;
        n bigint;
        total bigint := 0;
      BEGIN
        FOREACH tenant IN ARRAY tenant_ids LOOP
          PERFORM set_config('app.tenant_id', tenant::text, true);
          SELECT count(*) INTO n FROM privacy_requests
           WHERE tenant_id = tenant AND status = 'pending' AND due_at < at;
          total := total + n;
        END LOOP;
        PERFORM set_config('app.tenant_id', '', true);
        RETURN total;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION count_overdue_privacy_requests(uuid[], timestamptz) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION count_overdue_privacy_requests(uuid[], timestamptz) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION count_overdue_privacy_requests(uuid[], timestamptz)');
    await q.query('DROP INDEX idx_privacy_requests_pending_due');
  }
}
