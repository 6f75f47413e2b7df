import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../../app-role';

/**
 * R-S8: the complaint guard. Notices gain the kind `complaint-rate` (a campaign paused itself on its complaint rate),
 * and `tenant_deliverability_7d` gives each tenant's 7-day delivered / bounced / complained counts, read by the
 * `missive_tenant_*_rate_7d` gauges and support's deliverability route. Like `count_overdue_privacy_requests` it
 * runs with the caller's rights under row-level security (R-T1), one tenant at a time, and puts back the caller's
 * `app.tenant_id`. Delivered is the ledger's `sent`; bounced adds the relay's refusals (`bounced`) to the hard
 * bounces heard afterwards; the bounce rate is bounced / (delivered + bounced), the complaint rate complained /
 * delivered (0 with nothing delivered). The two indexes keep each tenant's read to a 7-day index range.
 */
export class ComplaintGuard1765450000011 implements MigrationInterface {
  name = 'ComplaintGuard1765450000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE notices DROP CONSTRAINT chk_notices_kind');
    await q.query(`ALTER TABLE notices ADD CONSTRAINT chk_notices_kind
      CHECK (kind IN ('incident', 'privacy-request-referral', 'complaint-rate'))`);
    await q.query(`CREATE INDEX idx_campaign_deliveries_tenant_done ON campaign_deliveries (tenant_id, updated_at)
      WHERE state IN ('sent', 'bounced')`);
    await q.query(`CREATE INDEX idx_campaign_delivery_feedback_tenant_recorded
      ON campaign_delivery_feedback (tenant_id, recorded_at)`);
    await q.query(`CREATE FUNCTION tenant_deliverability_7d(tenant_ids uuid[], at timestamptz)
      RETURNS TABLE (tenant_id uuid, delivered bigint, bounced bigint, complained bigint,
                     bounce_rate double precision, complaint_rate double precision)
      LANGUAGE plpgsql SECURITY INVOKER AS $$
      DECLARE
        tenant uuid;
        caller text := current_setting('app.tenant_id', true);
        since timestamptz := at - interval '7 days';
      BEGIN
        FOREACH tenant IN ARRAY tenant_ids LOOP
          PERFORM set_config('app.tenant_id', tenant::text, true);
          tenant_id := tenant;
          SELECT count(*) FILTER (WHERE d.state = 'sent'), count(*) FILTER (WHERE d.state = 'bounced')
            INTO delivered, bounced
            FROM campaign_deliveries d
           WHERE d.tenant_id = tenant AND d.state IN ('sent', 'bounced') AND d.updated_at > since;
          SELECT bounced + count(*) FILTER (WHERE f.outcome = 'hard-bounce'),
                 count(*) FILTER (WHERE f.outcome = 'complaint')
            INTO bounced, complained
            FROM campaign_delivery_feedback f
           WHERE f.tenant_id = tenant AND f.recorded_at > since;
          bounce_rate := CASE WHEN delivered + bounced > 0 THEN bounced::float8 / (delivered + bounced) ELSE 0 END;
          complaint_rate := CASE WHEN delivered > 0 THEN complained::float8 / delivered ELSE 0 END;
          RETURN NEXT;
        END LOOP;
        PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION tenant_deliverability_7d(uuid[], timestamptz) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION tenant_deliverability_7d(uuid[], timestamptz) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION tenant_deliverability_7d(uuid[], timestamptz)');
    await q.query('DROP INDEX idx_campaign_delivery_feedback_tenant_recorded');
    await q.query('DROP INDEX idx_campaign_deliveries_tenant_done');
    await q.query(`DELETE FROM notices WHERE kind = 'complaint-rate'`);
    await q.query('ALTER TABLE notices DROP CONSTRAINT chk_notices_kind');
    await q.query(`ALTER TABLE notices ADD CONSTRAINT chk_notices_kind
      CHECK (kind IN ('incident', 'privacy-request-referral'))`);
  }
}
