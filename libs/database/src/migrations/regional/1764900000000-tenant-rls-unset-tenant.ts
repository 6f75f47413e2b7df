import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_SETTING_SQL } from '../../tenant-rls';

/**
 * R-T1: rewrites every `tenant_isolation` policy made before `tenantRlsSql` used NULLIF. A pooled session that
 * ran `withTenant` keeps `app.tenant_id` as '' afterwards, and the old `''::uuid` made such a query fail instead of
 * seeing no rows.
 */
export class TenantRlsUnsetTenant1764900000000 implements MigrationInterface {
  name = 'TenantRlsUnsetTenant1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation' LOOP
          EXECUTE format('ALTER POLICY tenant_isolation ON %I USING (tenant_id = %s) WITH CHECK (tenant_id = %s)',
            r.tablename, $expr$${TENANT_SETTING_SQL}$expr$, $expr$${TENANT_SETTING_SQL}$expr$);
        END LOOP;
      END $$`);
  }

  async down(): Promise<void> {
    // The NULLIF form is correct for every policy; there is nothing to go back to.
  }
}
