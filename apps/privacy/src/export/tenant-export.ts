import { Injectable } from '@nestjs/common';
import { Databases } from '@missive/database';
import type { TenantContext } from '@missive/tenancy';
import { EXPORT_SECTIONS, exportLine, keyOf, pageQuery } from './export-sections';

type Tenant = Pick<TenantContext, 'id' | 'region'>;

/**
 * GET /v1/export: everything the tenant holds, as NDJSON text produced page by page. Each page is one short
 * transaction under the tenant's row-level security (R-T1), so a long download holds no connection between pages
 * and memory stays at one page whatever the tenant's size. The first line says what this is, the last line
 * (`kind: "end"`, with the count per kind) shows the export is complete.
 */
@Injectable()
export class TenantExport {
  constructor(private readonly databases: Databases) {}

  async *lines(tenant: Tenant, now = new Date()): AsyncGenerator<string> {
    yield `${JSON.stringify({ kind: 'export', tenantId: tenant.id, region: tenant.region, exportedAt: now.toISOString() })}\n`;
    const counts: Record<string, number> = {};
    for (const section of EXPORT_SECTIONS) {
      counts[section.kind] ??= 0;
      let after: unknown[] | null = null;
      for (;;) {
        const { sql, params } = pageQuery(section, tenant.id, after);
        const rows: Record<string, unknown>[] = await this.databases.withTenant(tenant.region, tenant.id, async (m) => {
          // Keyset paging is only cheap along the index: with stale statistics (a tenant that just imported a
          // million rows) the planner would sort the rest of the tenant for every page. Each section has an index
          // in its key order, so this page may not sort.
          await m.query(`SET LOCAL enable_sort = off`);
          await m.query(`SET LOCAL enable_bitmapscan = off`);
          return m.query(sql, params);
        });
        if (rows.length === 0) break;
        counts[section.kind] += rows.length;
        yield rows.map((row) => exportLine(section.kind, row)).join('');
        if (rows.length < (params[params.length - 1] as number)) break;
        after = keyOf(section, rows[rows.length - 1]);
      }
    }
    yield `${JSON.stringify({ kind: 'end', counts })}\n`;
  }
}
